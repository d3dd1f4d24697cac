import { METRIC_IDS } from '../domain/metrics.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import {
  type BenchFigures,
  STORE_KINDS,
  STORE_LABELS,
  type StoreKind,
  type WriteFigure,
} from './bench-figures.ts';
import { type BenchTable, formatCount, formatMiB, formatMs } from './bench-format.ts';
import { type BenchProfile, batchesFor } from './bench-profile.ts';
import type { BenchResources } from './bench-resources.ts';
import { perSecond, summarizeLatencies } from './bench-stats.ts';
import { childRssBytes, watchRss } from './memory-probe.ts';
import { deviceIdsFor, gridReadings, type ReadingGrid } from './synthetic-readings.ts';

/**
 * writeReadings throughput per batch size, each size into a fresh store (a new DuckDB file, a new
 * InfluxDB database) so earlier runs do not slow later ones. Only the writeReadings calls are timed;
 * readings are generated before each call.
 */
export async function runWriteBench(
  profile: BenchProfile,
  resources: BenchResources,
): Promise<{ table: BenchTable; figures: BenchFigures }> {
  const rows: string[][] = [];
  const writes: Partial<Record<StoreKind, Map<number, WriteFigure>>> = {};
  for (const kind of STORE_KINDS) {
    const byBatch = new Map<number, WriteFigure>();
    writes[kind] = byBatch;
    for (const batchSize of profile.writes.batchSizes) {
      const store = await resources.openStore(kind, `writes_${batchSize}`);
      try {
        const run = await timeWrites(store, batchSize, batchesFor(profile.writes, batchSize));
        byBatch.set(batchSize, run.figure);
        const serverRss = kind === 'influxdb' ? await childRssBytes('influxd') : undefined;
        rows.push(writeRow(kind, batchSize, run, serverRss));
      } finally {
        await store.close();
      }
    }
  }
  return {
    table: {
      title:
        'Store writes: writeReadings(batch) into a new store after one untimed batch, one batch at a time',
      columns: [
        'store',
        'batch',
        'batches',
        'readings/s',
        'p50 ms',
        'p95 ms',
        'max ms',
        'RSS Δ MiB',
        'peak RSS MiB',
        'influxd RSS MiB',
      ],
      rows,
      notes: [
        'RSS is this process (the DuckDB engine runs inside it; the InfluxDB client only sends HTTP).',
        'influxd RSS is the server process after the run.',
      ],
    },
    figures: { writes },
  };
}

interface WriteRun {
  readonly batches: number;
  readonly figure: WriteFigure;
  readonly rssDeltaBytes: number;
  readonly peakRssBytes: number;
}

async function timeWrites(store: TimeSeriesStore, batchSize: number, batches: number): Promise<WriteRun> {
  const grid: ReadingGrid = {
    city: 'nice',
    deviceIds: deviceIdsFor('bench-w', 50),
    metrics: METRIC_IDS,
    startTs: Date.UTC(2026, 0, 1),
    stepMs: 60_000,
  };
  // The first write into an empty store pays one-off costs (InfluxDB creates its shard): untimed.
  await store.writeReadings(gridReadings(grid, 0, batchSize));
  const latencies: number[] = [];
  const rss = watchRss();
  for (let b = 1; b <= batches; b++) {
    const readings = gridReadings(grid, b * batchSize, batchSize);
    const started = performance.now();
    await store.writeReadings(readings);
    latencies.push(performance.now() - started);
  }
  const memory = rss.stop();
  const batchLatency = summarizeLatencies(latencies);
  return {
    batches,
    figure: { readingsPerSec: perSecond(batches * batchSize, batchLatency.total), batchLatency },
    rssDeltaBytes: memory.endBytes - memory.startBytes,
    peakRssBytes: memory.peakBytes,
  };
}

function writeRow(
  kind: StoreKind,
  batchSize: number,
  run: WriteRun,
  serverRss: number | undefined,
): string[] {
  const { batchLatency, readingsPerSec } = run.figure;
  return [
    STORE_LABELS[kind],
    formatCount(batchSize),
    formatCount(run.batches),
    formatCount(readingsPerSec),
    formatMs(batchLatency.p50),
    formatMs(batchLatency.p95),
    formatMs(batchLatency.max),
    formatMiB(run.rssDeltaBytes),
    formatMiB(run.peakRssBytes),
    formatMiB(serverRss ?? Number.NaN),
  ];
}
