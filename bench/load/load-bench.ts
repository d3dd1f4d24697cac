import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceCredentials } from '../../devices/device.ts';
import { parseConfig } from '../../platform/config.ts';
import { silentLogger } from '../../platform/logger.ts';
import { openStore } from '../../store/open-store.ts';
import { storeConfigSchema } from '../../store/store-config.ts';
import { type RunningInfluxd, startInfluxd } from '../../tests/setup/influxd.ts';
import { type BenchTable, formatCount, formatMiB, formatMs, renderTable } from '../bench-format.ts';
import { percentile } from '../bench-stats.ts';
import { researchMonth, seedResearchMonth } from '../research-month.ts';
import { ApiLoad, type ApiLoadFigures, heavyResearchPaths } from './api-load.ts';
import { type Deployment, startDeployment } from './deployments.ts';
import { type DeployChoice, LOAD_USAGE, type LoadArgs, parseLoadArgs } from './load-args.ts';
import { type LoadTarget, runLoadStep, type StepFigures } from './load-step.ts';
import { describeLosses, type LossReport } from './loss-report.ts';
import { MosquittoMissingError, startMosquittoBaseline } from './mosquitto-baseline.ts';
import { findChildPid } from './process-stats.ts';
import { DEFAULT_CITIES, provisionDevices } from './provision-devices.ts';
import { QueryableProbe } from './queryable-probe.ts';
import { runSoak } from './soak.ts';
import { ThreadedFleet } from './threaded-fleet.ts';

const LOAD_DATABASE = 'ucap_load';

/**
 * `npm run bench -- load`: the real processes as README starts them, devices registered in the
 * real registry on their own connections, QoS 1 at stepped rates (or one rate for a soak), and
 * per step what a user would check: acknowledged vs stored per device, rates, drain time,
 * publish→queryable latency, CPU per message and peak memory of every process.
 * Resolves false when any acknowledged reading was lost (or a soak's memory drifted).
 */
export async function runLoadBench(argv: readonly string[]): Promise<boolean> {
  const args = parseLoadArgs(argv);
  if (args.help) {
    console.log(LOAD_USAGE);
    return true;
  }
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  const interrupted = () => {
    console.error('\ninterrupted: stopping the processes and removing temp files');
    void cleanUp().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  console.log(describeRun(args));
  let passed = true;
  try {
    if (args.baseline && args.soak === undefined) {
      await runBaseline(args, cleanups).catch((error: unknown) => {
        if (!(error instanceof MosquittoMissingError)) throw error;
        console.log(`\n${error.message}`);
      });
      await cleanUp();
    }
    for (const kind of args.deployments) {
      passed = (await runDeployment(kind, args, cleanups)) && passed;
      await cleanUp();
    }
  } finally {
    await cleanUp();
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
  }
  console.log(passed ? '\nno acknowledged reading lost' : '\nFAILED: see the tables above');
  return passed;
}

function describeRun(args: LoadArgs): string {
  const what =
    args.soak === undefined
      ? `steps ${args.rates.map(formatCount).join(', ')} msgs/s × ${args.stepSeconds} s`
      : `soak ${args.soak.minutes} min at ${formatCount(args.soak.rate)} msgs/s (warm-up ${args.soak.warmupMinutes} min)`;
  return `load bench: ${args.devices} devices, QoS 1${args.qos0Share > 0 ? ` (+${args.qos0Share * 100} % QoS 0)` : ''}, ${what}, ${args.threads} generator threads`;
}

async function runBaseline(args: LoadArgs, cleanups: Array<() => Promise<unknown>>): Promise<void> {
  const mosquitto = await startMosquittoBaseline();
  cleanups.push(() => mosquitto.stop());
  // Mosquitto allows anyone here: devices keep their ids, the password is not checked.
  const devices: DeviceCredentials[] = Array.from({ length: args.devices }, (_, i) => ({
    id: `baseline-${String(i).padStart(4, '0')}`,
    city: DEFAULT_CITIES[i % DEFAULT_CITIES.length] as string,
    username: `baseline-${i}`,
    password: 'unused',
  }));
  const fleet = await ThreadedFleet.connect({ mqttUrl: mosquitto.mqttUrl, devices, threads: args.threads });
  cleanups.push(() => fleet.close());
  const rate = Math.max(...args.rates);
  const target: LoadTarget = {
    name: 'mosquitto',
    processes: async () => [{ name: 'mosquitto', pid: mosquitto.pid }],
    countStored: async () => mosquitto.received(),
  };
  const step = await runLoadStep(fleet, target, {
    rate,
    durationMs: args.stepSeconds * 1000,
    qos0Share: 0,
    drainTimeoutMs: 10_000,
  });
  console.log(
    `\n${renderTable(stepTable('Baseline: Mosquitto 2 + one mqtt.js subscriber (received, not stored)', [step]))}`,
  );
}

async function runDeployment(
  kind: DeployChoice,
  args: LoadArgs,
  cleanups: Array<() => Promise<unknown>>,
): Promise<boolean> {
  const dataDir = await mkdtemp(join(tmpdir(), `ucap-load-${kind}-`));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  let influxd: RunningInfluxd | undefined;
  if (kind === 'separate') {
    influxd = await startInfluxd();
    const running = influxd;
    cleanups.push(() => running.stop());
  }
  if (args.seedDays > 0) await seedDeploymentStore(kind, dataDir, influxd, args.seedDays);
  const deployment = await startDeployment({
    kind,
    dataDir,
    env: args.env,
    ...(influxd === undefined ? {} : { influxUrl: influxd.url, influxDatabase: LOAD_DATABASE }),
  });
  cleanups.push(() => deployment.stop());
  const provisionStarted = performance.now();
  const devices = await provisionDevices({ registryPath: deployment.registryPath, count: args.devices });
  const fleet = await ThreadedFleet.connect({ mqttUrl: deployment.mqttUrl, devices, threads: args.threads });
  cleanups.push(() => fleet.close());
  const setUpSeconds = (performance.now() - provisionStarted) / 1000;
  console.log(`\n${kind}: ${args.devices} devices registered and connected in ${setUpSeconds.toFixed(1)} s`);
  const probe = args.latency ? new QueryableProbe(deployment.apiUrl, DEFAULT_CITIES) : undefined;
  probe?.start();
  cleanups.push(async () => probe?.stop());
  const target = deploymentTarget(deployment, fleet.firstTs, probe);
  const apiLoad = startApiLoad(deployment.apiUrl, args);
  cleanups.push(async () => apiLoad?.stop());
  if (args.soak !== undefined) return runSoak(fleet, target, args.soak, args.qos0Share);

  const steps: StepFigures[] = [];
  const apiFigures: ApiLoadFigures[] = [];
  let previous: LossReport | undefined;
  for (const rate of args.rates) {
    apiLoad?.take();
    const step = await runLoadStep(fleet, target, {
      rate,
      durationMs: args.stepSeconds * 1000,
      qos0Share: args.qos0Share,
      ...(previous === undefined ? {} : { previous }),
    });
    if (apiLoad !== undefined) apiFigures.push(apiLoad.take());
    steps.push(step);
    previous = step.report;
    console.log(
      `   ${formatCount(rate)} msgs/s: ${formatCount(step.acked)} acknowledged, ${formatCount(step.lost)} lost`,
    );
  }
  const title =
    kind === 'all-in-one'
      ? 'npm start (all-in-one, embedded DuckDB store)'
      : 'gateway + ingest + api processes on InfluxDB 1.x';
  console.log(`\n${renderTable(stepTable(title, steps))}`);
  if (apiFigures.length > 0) console.log(`\n${renderTable(apiLoadTable(title, args, steps, apiFigures))}`);
  const last = steps.at(-1)?.report;
  return last === undefined || (last.lost === 0 && last.unexpected === 0 && last.strangers.length === 0);
}

/**
 * Writes `days` of the API issue's research data set (100 devices per city, 4 metrics, every
 * 5 min) into the store the deployment will open, before it starts: the heavy routes then read a
 * realistic month while devices publish.
 */
async function seedDeploymentStore(
  kind: DeployChoice,
  dataDir: string,
  influxd: RunningInfluxd | undefined,
  days: number,
): Promise<void> {
  const config = parseConfig(storeConfigSchema, {
    DATA_DIR: dataDir,
    ...(kind === 'separate' && influxd !== undefined
      ? { INFLUX_URL: influxd.url, INFLUX_DB: LOAD_DATABASE }
      : {}),
  });
  const store = await openStore(config, silentLogger());
  try {
    const month = researchMonth({ devicesPerCity: 100, days, stepMs: 300_000 });
    const index = await seedResearchMonth(store, month, 20_000, (city, readings, ms) =>
      console.log(
        `${kind}: seeded ${formatCount(readings)} readings of ${city} (${days} d) in ${(ms / 1000).toFixed(1)} s`,
      ),
    );
    if (index !== undefined)
      console.log(
        `${kind}: index series of the seeded days ${index.error === undefined ? `stored in ${(index.ms / 1000).toFixed(1)} s` : `not stored (${index.error})`}`,
      );
  } finally {
    await store.close();
  }
}

function startApiLoad(apiUrl: string, args: LoadArgs): ApiLoad | undefined {
  if (args.apiClients === 0) return undefined;
  const month = researchMonth({ devicesPerCity: 100, days: args.seedDays, stepMs: 300_000 });
  const load = new ApiLoad(apiUrl, heavyResearchPaths('nice', month.from, month.to), args.apiClients);
  load.start();
  return load;
}

/** What the researchers saw during each step, next to what the devices waited for their PUBACKs. */
function apiLoadTable(
  title: string,
  args: LoadArgs,
  steps: readonly StepFigures[],
  figures: readonly ApiLoadFigures[],
): BenchTable {
  return {
    title: `${title}: ${args.apiClients} API clients on series 1h / aqi 1d over ${args.seedDays} d and exceedances, during each step`,
    columns: [
      'target/s',
      'PUBACK p50 ms',
      'PUBACK p99 ms',
      'API req/s',
      'API p50 ms',
      'API p99 ms',
      'answers',
    ],
    textColumns: 0,
    rows: steps.map((step, i) => {
      const api = figures[i] as ApiLoadFigures;
      const acks = Float64Array.from(step.ackLatenciesMs).sort();
      return [
        formatCount(step.targetRate),
        formatMs(percentile(acks, 50)),
        formatMs(percentile(acks, 99)),
        api.perSecond.toFixed(1),
        formatMs(api.p50Ms),
        formatMs(api.p99Ms),
        [...api.statuses].map(([status, n]) => `${n}×${status}`).join(' '),
      ];
    }),
    notes: [
      'API clients: fetch from the load generator process, the next request as soon as an answer is read',
    ],
  };
}

function deploymentTarget(
  deployment: Deployment,
  firstTs: number,
  probe: QueryableProbe | undefined,
): LoadTarget {
  return {
    name: deployment.kind,
    ...(probe === undefined ? {} : { probe }),
    async processes() {
      const services = deployment.services().map((s) => ({ name: s.spec.name, pid: s.pid }));
      const influxd = deployment.kind === 'separate' ? await findChildPid('influxd') : undefined;
      return influxd === undefined ? services : [...services, { name: 'influxd', pid: influxd }];
    },
    countStored: () =>
      deployment.countStored({ from: firstTs - 60_000, to: Date.now() + 60_000, cities: DEFAULT_CITIES }),
  };
}

/** One row per step; CPU and peak RSS columns per process. */
export function stepTable(title: string, steps: readonly StepFigures[]): BenchTable {
  const names = steps[0]?.processes.map((p) => p.name) ?? [];
  const columns = [
    'target/s',
    'offered/s',
    'PUBACKed/s',
    'PUBACKed',
    'stored',
    'lost',
    'stored/s',
    'drain s',
    'PUBACK p50 ms',
    'PUBACK p99 ms',
    'p50 ms',
    'p99 ms',
    ...names.map((name) => `${name} CPU ms/1k`),
    ...names.filter((name) => name !== 'load generator').map((name) => `${name} peak MiB`),
  ];
  const rows = steps.map((step) => {
    const sorted = [...step.latenciesMs].sort((a, b) => a - b);
    const acks = Float64Array.from(step.ackLatenciesMs).sort();
    return [
      formatCount(step.targetRate),
      formatCount(step.offeredRate),
      formatCount(step.ackedRate),
      formatCount(step.acked),
      formatCount(step.stored),
      formatCount(step.lost),
      formatCount(step.storedRate),
      (step.drainMs / 1000).toFixed(1),
      formatMs(percentile(acks, 50)),
      formatMs(percentile(acks, 99)),
      formatMs(percentile(sorted, 50)),
      formatMs(percentile(sorted, 99)),
      ...step.processes.map((p) => formatMs(p.cpuMsPer1k)),
      ...step.processes.filter((p) => p.name !== 'load generator').map((p) => formatMiB(p.peakRssBytes)),
    ];
  });
  const notes = steps.flatMap((step) => {
    const lines: string[] = [];
    const at = `${formatCount(step.targetRate)} msgs/s`;
    if (step.skipped > 0)
      lines.push(`${at}: the generator fell behind and skipped ${formatCount(step.skipped)} messages`);
    if (step.unsettled > 0)
      lines.push(`${at}: ${formatCount(step.unsettled)} messages still unacknowledged after 60 s`);
    if (step.lost > 0)
      lines.push(`${at}: lost per device (cumulative): ${describeLosses(step.report, 10).join('; ')}`);
    if (step.report.unexpected > 0)
      lines.push(`${at}: ${formatCount(step.report.unexpected)} readings stored but never sent`);
    return lines;
  });
  return {
    title,
    columns,
    rows,
    textColumns: 0,
    notes: [
      'PUBACKed/s: acknowledged ÷ time to the last PUBACK; stored/s: stored ÷ time to the last stored; drain: load end → last stored',
      'PUBACK p50/p99: publish() → PUBACK as each device waited for it (every QoS 1 message; client-side queueing included)',
      'p50/p99: publish → visible in GET /v1/latest (1 sampled message per device per second, polled every 200 ms per city;',
      '  the polls cost the API CPU, counted in its CPU column: --no-latency for CPU figures without them)',
      'CPU ms/1k: user+system CPU per 1,000 offered messages from /proc, drain included; peak: VmHWM since start',
      ...notes,
    ],
  };
}
