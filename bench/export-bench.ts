import { get } from 'node:http';
import { join } from 'node:path';
import type { MetricId } from '../domain/metrics.ts';
import { createDuckDbStore } from '../store/duckdb/duckdb-store.ts';
import { EMBEDDED_STORE_FILE } from '../store/store-config.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import { type BenchTable, formatCount, formatMiB, formatRatio } from './bench-format.ts';
import type { BenchProfile } from './bench-profile.ts';
import type { BenchResources } from './bench-resources.ts';
import { perSecond } from './bench-stats.ts';
import { settledRss, watchProcessRss } from './load/process-stats.ts';
import { startService } from './load/service-process.ts';
import { deviceIdsFor, gridReadings, type ReadingGrid } from './synthetic-readings.ts';

const METRICS: readonly MetricId[] = ['pm25', 'pm10', 'no2', 'temperature'];
const SEED_BATCH = 50_000;

/**
 * `npm run bench -- export`: each store (a DuckDB file, then InfluxDB 1.6) seeded with `rows`
 * readings of one city through the store port, then the API started as its own process on it
 * (`tsx api/main.ts`, as README runs it): a tenth of the range exported as CSV, then the whole
 * range as CSV and as Parquet, over loopback HTTP. The server's resident memory is sampled from
 * /proc while each export runs and compared with the idle API once its RSS has settled. On DuckDB,
 * also the whole-range CSV export in a process holding only the store (its floor: what of the
 * API's peak any process embedding DuckDB needs). Targets: CSV ≥ 200,000 rows/s, RSS < 200 MB,
 * constant memory (the whole range costs no more than a tenth of it).
 */
export async function runExportBench(
  profile: BenchProfile,
  resources: BenchResources,
): Promise<{ table: BenchTable; figures: Record<string, never> }> {
  const { rows: total } = profile.exports;
  const dataDir = join(await resources.tempDir(), 'export');
  const grid: ReadingGrid = {
    city: 'nice',
    deviceIds: deviceIdsFor('nice-export', 100),
    metrics: METRICS,
    startTs: Date.parse('2025-01-01T00:00:00Z'),
    stepMs: 300_000,
  };
  const steps = Math.ceil(total / (grid.deviceIds.length * METRICS.length));
  const rangeOf = (stepCount: number) =>
    `from=${new Date(grid.startTs).toISOString()}&to=${new Date(grid.startTs + stepCount * grid.stepMs).toISOString()}`;
  const exports: readonly ExportSpec[] = [
    { label: 'csv, a tenth', format: 'csv', range: rangeOf(Math.ceil(steps / 10)) },
    { label: 'csv', format: 'csv', range: rangeOf(steps) },
    { label: 'parquet', format: 'parquet', range: rangeOf(steps) },
  ];
  const seedDuckDb = await seed(
    await createDuckDbStore({ path: join(dataDir, EMBEDDED_STORE_FILE) }),
    grid,
    total,
  );
  const duckdb = await apiExports('duckdb', { DATA_DIR: dataDir, INFLUX_URL: '' }, exports, total);
  const floor = await exportFloor(dataDir, grid.startTs, grid.startTs + steps * grid.stepMs);
  const seedInflux = await seed(await resources.openStore('influxdb', 'export'), grid, total);
  const influx = await apiExports(
    'influxdb 1.6',
    await resources.storeEnv('influxdb', 'export'),
    exports,
    total,
  );
  const rows = [
    ...duckdb.rows,
    tableRow('duckdb: csv, node + store alone', floor.rows, {
      ...floor,
      grewBytes: floor.peakRssBytes - floor.idleRssBytes,
    }),
    ...influx.rows,
  ];
  return {
    table: {
      title: 'Exports: GET /v1/readings of one city, from the API process, on each store',
      columns: [
        'export',
        'rows',
        'rows/s',
        'total s',
        'first byte s',
        'MiB sent',
        'server peak RSS MiB',
        'growth MiB',
        'status',
      ],
      textColumns: 1,
      rows,
      notes: [
        `data: ${formatCount(total)} readings (100 devices × ${METRICS.length} metrics every 5 min) in each store, seeded through the store port: DuckDB in ${(seedDuckDb / 1000).toFixed(1)} s (${formatCount(perSecond(total, seedDuckDb))} readings/s), InfluxDB 1.6 in ${(seedInflux / 1000).toFixed(1)} s (${formatCount(perSecond(total, seedInflux))} readings/s), rollups included`,
        ...[duckdb, influx].map(
          ({ store, idle }) =>
            `${store}: API RSS idle ${formatMiB(idle.first?.rssBytes ?? Number.NaN)} MiB when ready, ${formatMiB(idle.settled?.rssBytes ?? Number.NaN)} MiB settled ${(idle.afterMs / 1000).toFixed(0)} s later, ${formatMiB(idle.settled?.rssFileBytes ?? Number.NaN)} MiB of it mapped from files (the code of node${store === 'duckdb' ? " and of DuckDB's library" : ''}); "growth": peak − settled idle; constant memory: growth of the whole range ÷ growth of a tenth of it (CSV) = ${formatRatio(idle.wholeOverTenth)} (×1 = independent of the export's size, ×10 = proportional to it)`,
        ),
        `"node + store alone": the same whole-range CSV read and formatted by the API's export code in a process holding only the DuckDB store (bench/export-floor-process.ts under tsx like the API: no fastify, no HTTP, bytes dropped), settled idle ${formatMiB(floor.idleRssBytes)} MiB: the part of the API's peak that any process embedding DuckDB needs`,
        `targets: CSV ≥ 200,000 rows/s; RSS < 200 MB (190.7 MiB) while exporting; NODE_OPTIONS=${process.env.NODE_OPTIONS ?? '(none)'}; DUCKDB_MEMORY_LIMIT=${process.env.DUCKDB_MEMORY_LIMIT ?? '(default)'}`,
      ],
    },
    figures: {},
  };
}

/** One row of the table; the floor has no first byte and no HTTP status. */
function tableRow(
  label: string,
  exported: number,
  run: {
    ms: number;
    firstByteMs?: number;
    bytes: number;
    peakRssBytes: number;
    grewBytes: number;
    status?: number;
  },
): string[] {
  return [
    label,
    formatCount(exported),
    formatCount(perSecond(exported, run.ms)),
    (run.ms / 1000).toFixed(1),
    run.firstByteMs === undefined ? '' : (run.firstByteMs / 1000).toFixed(1),
    formatMiB(run.bytes),
    formatMiB(run.peakRssBytes),
    formatMiB(run.grewBytes),
    run.status === undefined ? '' : String(run.status),
  ];
}

interface ExportSpec {
  readonly label: string;
  readonly format: 'csv' | 'parquet';
  /** from=…&to=… */
  readonly range: string;
}

/** Writes `total` readings of `grid` through the store port, rolls them up, closes; the time taken. */
async function seed(store: TimeSeriesStore, grid: ReadingGrid, total: number): Promise<number> {
  const started = performance.now();
  try {
    for (let i = 0; i < total; i += SEED_BATCH)
      await store.writeReadings(gridReadings(grid, i, Math.min(SEED_BATCH, total - i)));
    await store.rollUp();
  } finally {
    await store.close();
  }
  return performance.now() - started;
}

/**
 * The API started as its own process on the store `storeEnv` names (as `npm run api` starts it),
 * left to settle, then each export over loopback HTTP with its peak RSS.
 */
async function apiExports(
  store: string,
  storeEnv: NodeJS.ProcessEnv,
  exports: readonly ExportSpec[],
  total: number,
): Promise<{
  store: string;
  rows: string[][];
  idle: Awaited<ReturnType<typeof settledRss>> & { wholeOverTenth: number };
}> {
  const api = await startService({
    name: 'api',
    entry: 'api/main.ts',
    env: { ...storeEnv, API_PORT: '0', BIND_HOST: '127.0.0.1', CITIES_FILE: '' },
    readyLog: /API listening/,
    startTimeoutMs: 300_000,
  });
  const rows: string[][] = [];
  const growthBytes = new Map<string, number>();
  try {
    const base = String(api.readyLine.api);
    const idle = await settledRss(api.pid);
    const idleRss = idle.settled?.rssBytes ?? Number.NaN;
    for (const { label, format, range } of exports) {
      const run = await timedExport(`${base}/v1/readings?city=nice&${range}&format=${format}`, api.pid);
      const exported = format === 'csv' ? run.lines - 1 : total;
      const grew = run.peakRssBytes - idleRss;
      growthBytes.set(label, grew);
      rows.push(tableRow(`${store}: ${label}`, exported, { ...run, grewBytes: grew }));
    }
    const wholeOverTenth =
      (growthBytes.get('csv') ?? Number.NaN) / (growthBytes.get('csv, a tenth') ?? Number.NaN);
    return { store, rows, idle: { ...idle, wholeOverTenth } };
  } finally {
    await api.stop();
  }
}

/**
 * The whole-range CSV export in a process that holds only the store and the export code
 * (bench/export-floor-process.ts), started once the API has released the file: its settled idle
 * RSS and its peak while it exports.
 */
async function exportFloor(
  dataDir: string,
  from: number,
  to: number,
): Promise<{ rows: number; bytes: number; ms: number; idleRssBytes: number; peakRssBytes: number }> {
  const floor = await startService({
    name: 'export floor',
    entry: 'bench/export-floor-process.ts',
    env: {
      DATA_DIR: dataDir,
      INFLUX_URL: '',
      EXPORT_CITY: 'nice',
      EXPORT_FROM: String(from),
      EXPORT_TO: String(to),
    },
    readyLog: /^store open$/,
    startTimeoutMs: 300_000,
  });
  try {
    const idle = await settledRss(floor.pid);
    const rss = watchProcessRss(floor.pid);
    const logged = floor.nextLog(/export done/);
    process.kill(floor.pid, 'SIGUSR2');
    const done = await logged;
    return {
      rows: Number(done.rows),
      bytes: Number(done.bytes),
      ms: Number(done.ms),
      idleRssBytes: idle.settled?.rssBytes ?? Number.NaN,
      peakRssBytes: await rss.stop(),
    };
  } finally {
    await floor.stop();
  }
}

async function timedExport(
  url: string,
  serverPid: number,
): Promise<{
  lines: number;
  bytes: number;
  ms: number;
  firstByteMs: number;
  peakRssBytes: number;
  status: number;
}> {
  const rss = watchProcessRss(serverPid);
  const started = performance.now();
  let firstByteMs = 0;
  let lines = 0;
  let bytes = 0;
  // node:http rather than fetch: the client must cost far less than the server it measures.
  const status = await new Promise<number>((resolve, reject) => {
    get(url, (response) => {
      response.on('data', (chunk: Buffer) => {
        if (bytes === 0) firstByteMs = performance.now() - started;
        bytes += chunk.length;
        for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines += 1;
      });
      response.once('end', () => resolve(response.statusCode ?? 0));
      response.once('error', reject);
    }).once('error', reject);
  });
  const ms = performance.now() - started;
  return { lines, bytes, ms, firstByteMs, peakRssBytes: await rss.stop(), status };
}
