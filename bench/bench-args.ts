import { parseArgs } from 'node:util';
import { z } from 'zod';
import { UcapError } from '../domain/errors.ts';

/** The benchmarks, in the order they run. */
export const BENCH_NAMES = [
  'decode',
  'writes',
  'queries',
  'e2e',
  'api',
  'import',
  'export',
  'panels',
] as const;
export type BenchName = (typeof BENCH_NAMES)[number];

/**
 * Run only when named: `api` loads a month of readings into both stores (minutes, GBs of disk);
 * `import` writes files of a million readings; `export` seeds 10M; `panels` a year into InfluxDB.
 */
const ON_REQUEST: readonly BenchName[] = ['api', 'import', 'export', 'panels'];
export const DEFAULT_BENCHES: readonly BenchName[] = BENCH_NAMES.filter((name) => !ON_REQUEST.includes(name));

export const BENCH_USAGE = `usage: npm run bench -- [--quick] [--only ${BENCH_NAMES.join('|')}[,…]] [name …]\n       npm run bench -- load --help   (the real processes under device load)`;

const benchArgsSchema = z.object({
  quick: z.boolean().default(false),
  help: z.boolean().default(false),
  only: z
    .array(z.string())
    .default([])
    .transform((list) => list.flatMap((item) => item.split(',')).map((name) => name.trim()))
    .pipe(z.array(z.enum(BENCH_NAMES, { error: (issue) => `unknown benchmark "${String(issue.input)}"` }))),
});

export interface BenchArgs {
  readonly quick: boolean;
  readonly help: boolean;
  /** The benchmarks to run, in run order (every one when --only is absent). */
  readonly benches: readonly BenchName[];
}

/**
 * Parses `--quick` (small sizes, ~20 s) and `--only decode,writes` (or `--only decode --only e2e`).
 * Problems are CONFIG_INVALID errors ending with the usage line.
 */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let values: unknown;
  try {
    let positionals: string[];
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        only: { type: 'string', multiple: true },
      },
      strict: true,
      allowPositionals: true,
    }));
    // `npm run bench -- api` is `--only api`.
    if (positionals.length > 0) {
      const named = values as { only?: string[] };
      named.only = [...(named.only ?? []), ...positionals];
    }
  } catch (error) {
    throw new UcapError('CONFIG_INVALID', `${(error as Error).message}\n${BENCH_USAGE}`, { cause: error });
  }
  const parsed = benchArgsSchema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `--only: ${issue.message}`).join('; ');
    throw new UcapError(
      'CONFIG_INVALID',
      `${problems} (benchmarks: ${BENCH_NAMES.join(', ')})\n${BENCH_USAGE}`,
    );
  }
  const { quick, help, only } = parsed.data;
  const benches = only.length === 0 ? DEFAULT_BENCHES : BENCH_NAMES.filter((name) => only.includes(name));
  return { quick, help, benches };
}
