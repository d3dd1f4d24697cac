import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Reading } from '../../domain/reading.ts';
import { createInfluxStore } from '../../store/influxdb/influx-store.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';
import { emptyTestDatabase } from '../setup/influx-test-database.ts';
import { scratchDuckDb } from '../setup/scratch-duckdb.ts';
import { type ApiFixture, READINGS, startApiFixture } from './api-fixture.ts';

/**
 * GET /v1/readings?format=parquet over real HTTP, from the embedded store and from a real
 * InfluxDB 1.6, read back with DuckDB's read_parquet and compared with what the store holds.
 */
const dir = await mkdtemp(join(tmpdir(), 'ucap-parquet-test-'));
const database = `ucap_parquet_export_${process.pid}`;
const FROM = '2026-11-20T00:00:00Z';
const TO = '2026-11-21T00:00:00Z';

// 25,002 readings: more than two export pages, with ties (3 devices at each instant) at page edges.
const MANY: Reading[] = Array.from({ length: 8334 }, (_, i) =>
  ['zz-a', 'zz-b', 'zz-c'].map((deviceId, d) => ({
    ts: Date.parse(FROM) + i * 10_000,
    city: 'zhengzhou',
    deviceId,
    metric: (d === 1 ? 'no2' : 'pm10') as Reading['metric'],
    value: i + d / 4,
  })),
).flat();

interface Target {
  readonly name: string;
  fixture?: ApiFixture;
  store?: TimeSeriesStore;
  base?: string;
}
const targets: Target[] = [{ name: 'duckdb' }, { name: 'influxdb' }];

beforeAll(async () => {
  for (const target of targets) {
    let store: TimeSeriesStore | undefined;
    if (target.name === 'influxdb') {
      store = await createInfluxStore({ api: 'v1', url: inject('influxUrl'), database });
      await store.writeReadings(READINGS);
    }
    target.fixture = await startApiFixture(store === undefined ? {} : { store });
    target.store = store ?? target.fixture.store;
    await target.store.writeReadings(MANY);
    target.base = await target.fixture.app.listen({ host: '127.0.0.1', port: 0 });
  }
});
afterAll(async () => {
  for (const target of targets) {
    await target.fixture?.close();
    // The fixture closes its own DuckDB store; the InfluxDB store was handed in.
    if (target.name === 'influxdb') await target.store?.close();
  }
  await emptyTestDatabase(inject('influxUrl'), database).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

function readParquet(file: string): Promise<Record<string, unknown>[]> {
  return scratchDuckDb(
    `SELECT epoch_ms(ts)::DOUBLE AS ts, typeof(ts) AS "tsType", city, device, metric, value
     FROM read_parquet(?)`,
    [file],
  );
}

describe.each(targets)('GET /v1/readings?format=parquet ($name)', (target) => {
  it('sends a Parquet file DuckDB reads back as exactly the stored readings, in export order', async () => {
    const response = await fetch(
      `${target.base}/v1/readings?city=zhengzhou&from=${FROM}&to=${TO}&format=parquet`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    const file = join(dir, `${target.name}.parquet`);
    await writeFile(file, Buffer.from(await response.arrayBuffer()));
    const rows = await readParquet(file);
    expect(rows).toHaveLength(MANY.length);
    expect(rows[0]?.tsType).toBe('TIMESTAMP WITH TIME ZONE');
    const stored = await target.store?.readings({
      city: 'zhengzhou',
      from: Date.parse(FROM),
      to: Date.parse(TO),
      offset: 0,
      limit: 100_000,
    });
    expect(rows.map((r) => [r.ts, r.city, r.device, r.metric, r.value])).toEqual(
      stored?.map((r) => [r.ts, r.city, r.deviceId, r.metric, r.value]),
    );
  });

  it('sends a valid empty file for a range without readings, and honours metric and limit', async () => {
    const empty = await fetch(
      `${target.base}/v1/readings?city=nice&from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z&format=parquet`,
    );
    const emptyFile = join(dir, `${target.name}-empty.parquet`);
    await writeFile(emptyFile, Buffer.from(await empty.arrayBuffer()));
    expect(await readParquet(emptyFile)).toEqual([]);
    const some = await fetch(
      `${target.base}/v1/readings?city=zhengzhou&from=${FROM}&to=${TO}&metric=no2&limit=1000&format=parquet`,
    );
    const someFile = join(dir, `${target.name}-some.parquet`);
    await writeFile(someFile, Buffer.from(await some.arrayBuffer()));
    const rows = await readParquet(someFile);
    expect(rows).toHaveLength(1000);
    expect(new Set(rows.map((r) => r.metric))).toEqual(new Set(['no2']));
    expect(rows.at(-1)?.value).toBe(999.25);
  });
});
