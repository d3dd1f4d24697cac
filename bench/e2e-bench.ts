import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { deviceRegistryPath, openDeviceRegistry } from '../devices/device-registry.ts';
import { METRIC_IDS } from '../domain/metrics.ts';
import { createGateway } from '../gateway/gateway.ts';
import { batchOptionsFrom, ingestFields, timePolicyFrom } from '../ingest/ingest-config.ts';
import { createReadingPipeline } from '../ingest/reading-pipeline.ts';
import { loadCityCatalog } from '../platform/city-config.ts';
import { silentLogger } from '../platform/logger.ts';
import { createDuckDbStore } from '../store/duckdb/duckdb-store.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import {
  connectBenchDevices,
  disconnectBenchDevices,
  publishFromAll,
  registerBenchDevices,
} from './bench-devices.ts';
import type { BenchFigures } from './bench-figures.ts';
import { type BenchTable, formatCount, formatMiB, formatMs } from './bench-format.ts';
import type { BenchProfile } from './bench-profile.ts';
import type { BenchResources } from './bench-resources.ts';
import { perSecond, summarizeLatencies } from './bench-stats.ts';
import { DeliveryTracker } from './delivery-tracker.ts';
import { type RssWindow, watchRss } from './memory-probe.ts';
import { trackedStore } from './tracked-store.ts';

type Cleanup = () => Promise<unknown>;

/**
 * Simulated devices → real gateway (aedes, device ACL, scrypt logins) with ingest in its publish
 * path (QoS 1 PUBACK once durable) → embedded DuckDB store, in this process as `npm start` runs them,
 * with ingest's default batch settings. Timed from the first publish until every reading is stored.
 */
export async function runE2eBench(
  profile: BenchProfile,
  resources: BenchResources,
): Promise<{ table: BenchTable; figures: BenchFigures }> {
  const dataDir = join(await resources.tempDir(), 'e2e');
  await mkdir(dataDir, { recursive: true });
  const cleanups: Cleanup[] = [];
  try {
    return await measure(profile.e2e, dataDir, cleanups);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

async function measure(plan: BenchProfile['e2e'], dataDir: string, cleanups: Cleanup[]) {
  const setupStarted = performance.now();
  const totalMessages = plan.devices * plan.messagesPerDevice;
  const tracker = new DeliveryTracker(totalMessages);
  const tuning = z.object(ingestFields).parse({});
  const rig = await startRig(dataDir, tracker, tuning, cleanups);
  const devices = await connectBenchDevices(rig.url, await registerBenchDevices(rig.registry, plan.devices));
  cleanups.push(() => disconnectBenchDevices(devices));
  const setupMs = performance.now() - setupStarted;

  const rss = watchRss();
  const started = performance.now();
  const firstTs = Date.now() - (plan.messagesPerDevice + 60) * 1000;
  const lastAckAt = await publishFromAll(devices, { ...plan, firstTs, tracker });
  await withTimeout(
    tracker.allStored,
    plan.timeoutMs,
    () =>
      `end-to-end: only ${tracker.storedMessages()} of ${totalMessages} messages were stored within ${plan.timeoutMs} ms`,
  );
  const memory = rss.stop();
  const elapsed = tracker.lastStoredAt() - started;
  const readingsPerMessage = METRIC_IDS.length;
  const verified = await countStored(rig.store, firstTs, firstTs + plan.messagesPerDevice * 1000);
  const latency = summarizeLatencies(tracker.latencies());
  const stats = rig.ingestStats();
  const rejections = Object.values(stats.rejectionsByCity).reduce((n, c) => n + c, 0);
  const e2e: E2eFigure = {
    messagesPerSec: perSecond(totalMessages, elapsed),
    readingsPerSec: perSecond(totalMessages * readingsPerMessage, elapsed),
    latency,
    ingestBatchSize: tuning.INGEST_BATCH_SIZE,
  };
  const rows = e2eRows({
    plan,
    tuning,
    setupMs,
    e2e,
    lastAckRate: perSecond(totalMessages, lastAckAt - started),
    verified,
    rejections,
    memory,
    writes: tracker.writes(),
  });
  if (verified !== totalMessages * readingsPerMessage || rejections > 0) {
    throw new Error(
      `end-to-end: the store holds ${verified} readings and ${rejections} rejections; expected ${totalMessages * readingsPerMessage} and 0`,
    );
  }
  return {
    table: {
      title: 'End to end: devices → gateway → ingest → DuckDB (one process)',
      columns: ['figure', 'value'],
      rows,
    },
    figures: { e2e },
  };
}

interface E2eRun {
  readonly plan: BenchProfile['e2e'];
  readonly tuning: IngestTuning;
  readonly setupMs: number;
  readonly e2e: E2eFigure;
  readonly lastAckRate: number;
  readonly verified: number;
  readonly rejections: number;
  readonly memory: RssWindow;
  readonly writes: { readonly count: number; readonly readings: number };
}

function e2eRows({
  plan,
  tuning,
  setupMs,
  e2e,
  lastAckRate,
  verified,
  rejections,
  memory,
  writes,
}: E2eRun): string[][] {
  const messages = plan.devices * plan.messagesPerDevice;
  const readings = messages * METRIC_IDS.length;
  const { latency } = e2e;
  return [
    ['devices (mqtt.js, QoS 1)', `${plan.devices} × ${plan.inFlightPerDevice} in flight`],
    ['messages / readings published', `${formatCount(messages)} / ${formatCount(readings)}`],
    [
      'ingest batch size / flush interval',
      `${formatCount(tuning.INGEST_BATCH_SIZE)} / ${tuning.INGEST_FLUSH_INTERVAL_MS} ms`,
    ],
    ['setup: register, start, connect (untimed)', `${(setupMs / 1000).toFixed(1)} s`],
    ['publish → last PUBACK from gateway', `${formatCount(lastAckRate)} messages/s`],
    ['publish → all stored (sustained)', `${formatCount(e2e.messagesPerSec)} messages/s`],
    ['', `${formatCount(e2e.readingsPerSec)} readings/s`],
    [
      'publish → stored latency p50 / p95 / max',
      `${formatMs(latency.p50)} / ${formatMs(latency.p95)} / ${formatMs(latency.max)} ms`,
    ],
    [
      'store writes by ingest / mean readings each',
      `${writes.count} / ${formatCount(writes.readings / writes.count)}`,
    ],
    [
      'counted in the store / rejections',
      `${formatCount(verified)} of ${formatCount(readings)} / ${rejections}`,
    ],
    [
      'peak RSS / RSS Δ (whole process)',
      `${formatMiB(memory.peakBytes)} / ${formatMiB(memory.endBytes - memory.startBytes)} MiB`,
    ],
  ];
}

type IngestTuning = z.infer<z.ZodObject<typeof ingestFields>>;
type E2eFigure = NonNullable<BenchFigures['e2e']>;

async function startRig(
  dataDir: string,
  tracker: DeliveryTracker,
  tuning: IngestTuning,
  cleanups: Cleanup[],
) {
  const registry = openDeviceRegistry(deviceRegistryPath(dataDir));
  const cities = loadCityCatalog();
  const service = { username: tuning.MQTT_SERVICE_USERNAME, password: randomBytes(18).toString('base64') };
  const logger = silentLogger();
  const store = await createDuckDbStore({ path: join(dataDir, 'ucap.duckdb'), logger });
  cleanups.push(() => store.close());
  const pipeline = createReadingPipeline({
    store: trackedStore(store, (readings, at) => tracker.stored(readings, at)),
    formatOf: async (deviceId) => (await registry.get(deviceId))?.format ?? 'native',
    cities,
    timePolicy: timePolicyFrom(tuning),
    batch: batchOptionsFrom(tuning),
    logger,
    metrics: new Registry(),
  });
  cleanups.push(() => pipeline.close());
  const gateway = await createGateway({
    registry,
    cities,
    serviceAccount: service,
    host: '127.0.0.1',
    port: 0,
    logger,
    metrics: new Registry(),
    intake: { kind: 'embedded', pipeline },
  });
  cleanups.push(() => gateway.close());
  const { port } = await gateway.listen();
  const url = `mqtt://127.0.0.1:${port}`;
  return { registry, url, store, ingestStats: () => pipeline.stats() };
}

/** Readings the store holds between from and to, counted by the store itself (every city and metric). */
async function countStored(store: TimeSeriesStore, from: number, to: number): Promise<number> {
  let count = 0;
  for (const city of ['nice', 'zhengzhou']) {
    for (const metric of METRIC_IDS) {
      const series = await store.series({
        city,
        metric,
        from,
        to,
        everyMs: 86_400_000,
        agg: 'count',
        timeZone: 'UTC',
      });
      for (const { points } of series) for (const point of points) count += point.value;
    }
  }
  return count;
}

async function withTimeout(promise: Promise<void>, ms: number, message: () => string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
