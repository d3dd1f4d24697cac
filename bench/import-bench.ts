import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { toUtcRfc3339 } from '../api/local-time.ts';
import { importSourceFor } from '../cli/import-command.ts';
import { importReadings } from '../cli/import-readings.ts';
import { deviceRegistryPath, openDeviceRegistry } from '../devices/device-registry.ts';
import { CityCatalog, DEFAULT_CITIES } from '../domain/cities.ts';
import type { MetricId } from '../domain/metrics.ts';
import { STORE_KINDS, STORE_LABELS } from './bench-figures.ts';
import { type BenchTable, formatCount } from './bench-format.ts';
import type { BenchProfile } from './bench-profile.ts';
import type { BenchResources } from './bench-resources.ts';
import { perSecond } from './bench-stats.ts';
import { findChildPid, sampleProcess } from './load/process-stats.ts';
import { deviceIdsFor, gridReadings, type ReadingGrid } from './synthetic-readings.ts';

const METRICS: readonly MetricId[] = ['pm25', 'pm10', 'no2', 'temperature'];

/**
 * `npm run bench -- import`: `ucap import` of the same readings as CSV and as Parquet into a fresh
 * store of each kind, through the command's own code (checks, device registration, batching).
 * The import is timed to its last durable write; rolling up the imported hours is timed apart.
 */
export async function runImportBench(
  profile: BenchProfile,
  resources: BenchResources,
): Promise<{ table: BenchTable; figures: Record<string, never> }> {
  const { readings } = profile.imports;
  const dir = await resources.tempDir();
  const grid: ReadingGrid = {
    city: 'nice',
    deviceIds: deviceIdsFor('nice-import', 50),
    metrics: METRICS,
    startTs: Date.parse('2024-01-01T00:00:00Z'),
    stepMs: 300_000,
  };
  const csv = join(dir, 'import.csv');
  const parquet = join(dir, 'import.parquet');
  await writeCsv(csv, grid, readings);
  await csvToParquet(csv, parquet);
  const cities = new CityCatalog(DEFAULT_CITIES);
  const rows: string[][] = [];
  for (const kind of STORE_KINDS) {
    for (const [format, file] of [
      ['csv', csv],
      ['parquet', parquet],
    ] as const) {
      const name = `import_${format}`;
      const store = await resources.openStore(kind, name);
      const registry = openDeviceRegistry(deviceRegistryPath(join(dir, `${kind}-${name}`)));
      try {
        const influxd = kind === 'influxdb' ? await findChildPid('influxd') : undefined;
        const serverCpuBefore = influxd === undefined ? 0 : ((await sampleProcess(influxd))?.cpuMs ?? 0);
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        const summary = await importReadings(importSourceFor(file), {
          store,
          cities,
          registry,
          io: { stdout: () => {}, stderr: () => {}, stderrIsTty: false },
        });
        const importMs = performance.now() - started;
        const cpu = process.cpuUsage(cpuBefore);
        // CPU time says what an import costs whatever else the machine runs (wall time does not).
        const cpuMs = (cpu.user + cpu.system) / 1000;
        const serverCpuMs =
          influxd === undefined ? 0 : ((await sampleProcess(influxd))?.cpuMs ?? 0) - serverCpuBefore;
        // Rolling up is the store's own work after any writer; reported apart, and a failure
        // (InfluxDB's timeout on a loaded machine) does not hide the import's figure.
        const rollup = await store.rollUp().then(
          () => ((performance.now() - started - importMs) / 1000).toFixed(1),
          (error: unknown) => `failed: ${(error as Error).message.slice(0, 60)}`,
        );
        rows.push([
          STORE_LABELS[kind],
          format,
          formatCount(summary.imported),
          formatCount(perSecond(summary.imported, importMs)),
          (importMs / 1000).toFixed(1),
          ((cpuMs * 1000) / summary.imported).toFixed(1),
          influxd === undefined ? '' : ((serverCpuMs * 1000) / summary.imported).toFixed(1),
          formatCount(perSecond(summary.imported, cpuMs + serverCpuMs)),
          rollup,
        ]);
      } finally {
        await store.close();
      }
    }
  }
  return {
    table: {
      title: 'ucap import: a file of readings into a new store (checks and device registration included)',
      columns: [
        'store',
        'format',
        'readings',
        'readings/s',
        'import s',
        'CPU µs/reading',
        'influxd CPU µs/reading',
        'readings per CPU-s',
        'then rollups s',
      ],
      textColumns: 2,
      rows,
      notes: [
        `data: 50 devices × ${METRICS.length} metrics every 5 min from 2024-01-01, ts as RFC 3339 (CSV) or a Parquet timestamp; target ≥ 100,000 readings/s`,
        'CPU: this process (parsing, checks, the DuckDB engine) and, for InfluxDB, influxd, per reading imported; "readings per CPU-s" is what one core would do alone',
      ],
    },
    figures: {},
  };
}

async function writeCsv(file: string, grid: ReadingGrid, count: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('ts,city,device,metric,value\n');
  for (let i = 0; i < count; i += 10_000) {
    let text = '';
    for (const r of gridReadings(grid, i, Math.min(10_000, count - i)))
      text += `${toUtcRfc3339(r.ts)},${r.city},${r.deviceId},${r.metric},${r.value}\n`;
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
}

async function csvToParquet(csv: string, parquet: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(
      `COPY (SELECT ts::TIMESTAMPTZ AS ts, city, device, metric, value FROM read_csv('${csv}', all_varchar = true))
       TO '${parquet}' (FORMAT parquet)`,
    );
  } finally {
    connection.disconnectSync();
    instance.closeSync();
  }
}
