import { get } from 'node:http';
import { join } from 'node:path';
import type { MetricId } from '../domain/metrics.ts';
import { createDuckDbStore } from '../store/duckdb/duckdb-store.ts';
import { EMBEDDED_STORE_FILE } from '../store/store-config.ts';
import { type BenchTable, formatCount, formatMiB, formatRatio } from './bench-format.ts';
import type { BenchProfile } from './bench-profile.ts';
import type { BenchResources } from './bench-resources.ts';
import { perSecond } from './bench-stats.ts';
import { settledRss, watchProcessRss } from './load/process-stats.ts';
import { startService, waitForLog } from './load/service-process.ts';
import { deviceIdsFor, gridReadings, type ReadingGrid } from './synthetic-readings.ts';

const METRICS: readonly MetricId[] = ['pm25', 'pm10', 'no2', 'temperature'];
const SEED_BATCH = 50_000;

/**
 * `npm run bench -- export`: a DuckDB file seeded with `rows` readings of one city through the
 * store port, then the API started as its own process (`tsx api/main.ts`, as README runs it): a
 * tenth of the range exported as CSV, then the whole range as CSV and as Parquet, over loopback
 * HTTP. The server's resident memory is sampled from /proc while each export runs and compared
 * with the idle API once its RSS has settled. Then the same whole-range CSV export in a process
 * holding only the store (its floor: what of the API's peak any process embedding DuckDB needs).
 * Targets: CSV ≥ 200,000 rows/s; constant memory (the whole range costs no more than a tenth of it).
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
  const seedStarted = performance.now();
  const store = await createDuckDbStore({ path: join(dataDir, EMBEDDED_STORE_FILE) });
  try {
    for (let i = 0; i < total; i += SEED_BATCH)
      await store.writeReadings(gridReadings(grid, i, Math.min(SEED_BATCH, total - i)));
    await store.rollUp();
  } finally {
    await store.close();
  }
  const seedMs = performance.now() - seedStarted;
  const steps = Math.ceil(total / (grid.deviceIds.length * METRICS.length));
  const rangeOf = (stepCount: number) =>
    `from=${new Date(grid.startTs).toISOString()}&to=${new Date(grid.startTs + stepCount * grid.stepMs).toISOString()}`;
  const exports = [
    { label: 'csv, a tenth', format: 'csv', range: rangeOf(Math.ceil(steps / 10)) },
    { label: 'csv', format: 'csv', range: rangeOf(steps) },
    { label: 'parquet', format: 'parquet', range: rangeOf(steps) },
  ] as const;
  const api = await startService({
    name: 'api',
    entry: 'api/main.ts',
    env: { DATA_DIR: dataDir, API_PORT: '0', BIND_HOST: '127.0.0.1', INFLUX_URL: '', CITIES_FILE: '' },
    readyLog: /API listening/,
    startTimeoutMs: 300_000,
  });
  const rows: string[][] = [];
  const growthBytes = new Map<string, number>();
  let idle: Awaited<ReturnType<typeof settledRss>>;
  try {
    const base = String(api.readyLine.api);
    idle = await settledRss(api.pid);
    const idleRss = idle.settled?.rssBytes ?? Number.NaN;
    for (const { label, format, range } of exports) {
      const run = await timedExport(`${base}/v1/readings?city=nice&${range}&format=${format}`, api.pid);
      const exported = format === 'csv' ? run.lines - 1 : total;
      const grew = run.peakRssBytes - idleRss;
      growthBytes.set(label, grew);
      rows.push([
        label,
        formatCount(exported),
        formatCount(perSecond(exported, run.ms)),
        (run.ms / 1000).toFixed(1),
        (run.firstByteMs / 1000).toFixed(1),
        formatMiB(run.bytes),
        formatMiB(run.peakRssBytes),
        formatMiB(grew),
        String(run.status),
      ]);
    }
  } finally {
    await api.stop();
  }
  const floor = await exportFloor(dataDir, grid.startTs, grid.startTs + steps * grid.stepMs);
  rows.push([
    'csv, node + store alone',
    formatCount(floor.rows),
    formatCount(perSecond(floor.rows, floor.ms)),
    (floor.ms / 1000).toFixed(1),
    '',
    formatMiB(floor.bytes),
    formatMiB(floor.peakRssBytes),
    formatMiB(floor.peakRssBytes - floor.idleRssBytes),
    '',
  ]);
  return {
    table: {
      title: 'Exports: GET /v1/readings of one city, from the API process (embedded store)',
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
        `data: ${formatCount(total)} readings (100 devices × ${METRICS.length} metrics every 5 min), seeded through the store port in ${(seedMs / 1000).toFixed(1)} s (${formatCount(perSecond(total, seedMs))} readings/s, rollups included)`,
        `server RSS idle: ${formatMiB(idle.first?.rssBytes ?? Number.NaN)} MiB when ready, ${formatMiB(idle.settled?.rssBytes ?? Number.NaN)} MiB settled ${(idle.afterMs / 1000).toFixed(0)} s later, ${formatMiB(idle.settled?.rssFileBytes ?? Number.NaN)} MiB of it mapped from files (the code of node and of DuckDB's library); "growth": peak − settled idle`,
        `"node + store alone": the same whole-range CSV read and formatted by the API's export code in a process holding only the store (bench/export-floor-process.ts under tsx like the API: no fastify, no HTTP, bytes dropped), settled idle ${formatMiB(floor.idleRssBytes)} MiB: the part of the API's peak that any process embedding the store needs`,
        `constant memory: growth of the whole range ÷ growth of a tenth of it (CSV) = ${formatRatio((growthBytes.get('csv') ?? Number.NaN) / (growthBytes.get('csv, a tenth') ?? Number.NaN))} (×1 = memory independent of the export's size, ×10 = proportional to it); target CSV ≥ 200,000 rows/s; DUCKDB_MEMORY_LIMIT=${process.env.DUCKDB_MEMORY_LIMIT ?? '(default)'}`,
      ],
    },
    figures: {},
  };
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
    const fromLine = floor.logs.length;
    process.kill(floor.pid, 'SIGUSR2');
    const done = await waitForLog(floor, /export done/, { fromLine });
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
