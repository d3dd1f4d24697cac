import { cpus, loadavg } from 'node:os';
import { isUcapError } from '../domain/errors.ts';
import { runApiBench } from './api-bench.ts';
import { BENCH_USAGE, type BenchName, parseBenchArgs } from './bench-args.ts';
import type { BenchFigures } from './bench-figures.ts';
import { type BenchTable, renderTable } from './bench-format.ts';
import { type BenchProfile, FULL_PROFILE, QUICK_PROFILE } from './bench-profile.ts';
import { type BenchResources, createBenchResources } from './bench-resources.ts';
import { summaryTable } from './bench-summary.ts';
import { runDecodeBench } from './decode-bench.ts';
import { runE2eBench } from './e2e-bench.ts';
import { runExportBench } from './export-bench.ts';
import { runImportBench } from './import-bench.ts';
import { runLoadBench } from './load/load-bench.ts';
import { runPanelBench } from './panel-query-bench.ts';
import { runQueryBench } from './store-query-bench.ts';
import { runWriteBench } from './store-write-bench.ts';

// `npm run bench -- [--quick] [--only decode,writes,queries,e2e]`: figures and ratios, printed.
// `npm run bench -- load [...]`: the real processes under device load (bench/load/load-bench.ts).
// Speed and memory targets live here, never in timed tests.

type BenchRunner = (
  profile: BenchProfile,
  resources: BenchResources,
) => Promise<{ table: BenchTable; figures: BenchFigures }>;

const RUNNERS: Readonly<Record<BenchName, BenchRunner>> = {
  decode: runDecodeBench,
  writes: runWriteBench,
  queries: runQueryBench,
  e2e: runE2eBench,
  api: runApiBench,
  import: runImportBench,
  export: runExportBench,
  panels: runPanelBench,
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'load') {
    // Exits non-zero when an acknowledged reading was lost (or a soak's memory drifted).
    if (!(await runLoadBench(argv.slice(1)))) process.exitCode = 1;
    return;
  }
  const args = parseBenchArgs(argv);
  if (args.help) {
    console.log(BENCH_USAGE);
    return;
  }
  const profile = args.quick ? QUICK_PROFILE : FULL_PROFILE;
  const resources = createBenchResources();
  const interrupted = () => {
    console.error('\ninterrupted: stopping influxd and removing temp files');
    void resources.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  console.log(header(profile, args.benches));
  const figures: BenchFigures = {};
  const started = performance.now();
  try {
    for (const name of args.benches) {
      const benchStarted = performance.now();
      const outcome = await RUNNERS[name](profile, resources);
      Object.assign(figures, outcome.figures);
      console.log(
        `\n${renderTable(outcome.table)}\n   (${name}: ${seconds(performance.now() - benchStarted)})`,
      );
    }
  } finally {
    await resources.close();
  }
  const summary = summaryTable(figures);
  if (summary !== undefined) console.log(`\n${renderTable(summary)}`);
  console.log(`\ntotal ${seconds(performance.now() - started)}; load average now ${loadAverage()}`);
}

function header(profile: BenchProfile, benches: readonly BenchName[]): string {
  const cpu = cpus();
  return [
    `ucap-monitor bench (${profile.name}): ${benches.join(', ')}`,
    `node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, load average ${loadAverage()}`,
  ].join('\n');
}

// Other work on a 2-core machine moves every figure: the load average says how much there was.
function loadAverage(): string {
  return loadavg()
    .map((load) => load.toFixed(2))
    .join(' ');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

// No process.exit on success: the run ending by itself shows every server and store was closed.
main().catch((error: unknown) => {
  if (isUcapError(error, 'CONFIG_INVALID')) console.error(error.message);
  else console.error('bench failed:', error);
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 1000).unref();
});
