import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceRegistryPath, openDeviceRegistry } from '../../devices/device-registry.ts';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';
import { scratchDuckDb } from '../setup/scratch-duckdb.ts';
import { runProcess } from './gateway-fixture.ts';

/** `npx ucap import` as a researcher runs it (bin/ucap.js), into the embedded store of a temp DATA_DIR. */
const root = resolve(import.meta.dirname, '../..');
let dataDir: string;

function ucap(...args: string[]) {
  return runProcess(process.execPath, [join(root, 'bin/ucap.js'), ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, CITIES_FILE: '', INFLUX_URL: '' },
    timeoutMs: 60_000,
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ucap-import-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('ucap import', () => {
  it('imports good rows (any past date, RFC 3339 or epoch ms), lists bad rows by line, registers new devices import-only', async () => {
    const file = join(dataDir, 'old.csv');
    await writeFile(
      file,
      [
        'ts,city,device,metric,value',
        '1998-06-01T12:00:00Z,nice,nice-archive-01,pm10,41.5',
        `${Date.parse('1998-06-01T13:00:00Z')},nice,nice-archive-01,pm10,38`,
        '1998-06-01T12:00:00+08:00,zhengzhou,zz-archive-01,no2,70',
        '1998-06-01T14:00:00Z,nice,nice-archive-01,pm10,-4',
        '1998-06-01T14:00:00,nice,nice-archive-01,pm10,4',
        '2999-01-01T00:00:00Z,nice,nice-archive-01,pm10,4',
        '1998-06-01T15:00:00Z,paris,p-1,pm10,4',
        '1998-06-01T15:00:00Z,nice,nice-archive-01,radon,4',
        '1998-06-01T15:00:00Z,nice,nice-archive-01,pm10,lots',
      ].join('\n'),
    );
    const result = await ucap('import', file);
    expect(result.code).toBe(2);
    const stderr = result.stderr;
    expect(stderr).toMatch(/line 5: INGEST_OUT_OF_RANGE/);
    expect(stderr).toMatch(/line 6: INGEST_BAD_TIMESTAMP .*no UTC offset/);
    expect(stderr).toMatch(/line 7: INGEST_FUTURE_TIMESTAMP/);
    expect(stderr).toMatch(/line 8: INGEST_UNKNOWN_CITY/);
    expect(stderr).toMatch(/line 9: INGEST_UNKNOWN_METRIC/);
    expect(stderr).toMatch(/line 10: INGEST_INVALID_PAYLOAD/);
    expect(stderr).toMatch(/imported 3 readings, refused 6 rows, registered 2 import-only devices/);

    const registry = openDeviceRegistry(deviceRegistryPath(dataDir));
    expect(await registry.get('nice-archive-01')).toMatchObject({ city: 'nice', meta: { source: 'import' } });
    const readings = await storedReadings('1998-01-01T00:00:00Z', '1999-01-01T00:00:00Z');
    expect(readings.map((r) => [r.ts, r.value])).toEqual([
      [Date.parse('1998-06-01T12:00:00Z'), 41.5],
      [Date.parse('1998-06-01T13:00:00Z'), 38],
    ]);
  });

  it('imports 60,000 rows in batches', async () => {
    const file = join(dataDir, 'many.csv');
    const start = Date.parse('2025-01-01T00:00:00Z');
    const rows = ['ts,city,device,metric,value'];
    for (let i = 0; i < 60_000; i += 1)
      rows.push(`${start + i * 60_000},nice,nice-bulk-${i % 10},pm25,${i % 100}`);
    await writeFile(file, rows.join('\n'));
    const result = await ucap('import', file);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/imported 60000 readings, refused 0 rows/);
  });

  it('stops at a line far too long for a reading (a file without line breaks), naming it, with bounded memory', async () => {
    const file = join(dataDir, 'endless.csv');
    await writeFile(file, `ts,city,device,metric,value\n${'x'.repeat(8 * 1024 * 1024)}`);
    const result = await ucap('import', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/endless\.csv line 2: longer than 65536 characters/);
  });

  it('refuses a file whose header does not name the columns', async () => {
    const file = join(dataDir, 'bad-header.csv');
    await writeFile(file, 'time,where,value\n1,2,3\n');
    const result = await ucap('import', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/line 1: .*missing: ts, city, device, metric/);
  });

  it('imports a Parquet file (timestamp, epoch ms or RFC 3339 ts; any column order and case), listing bad rows by row number', async () => {
    const file = join(dataDir, 'archive.parquet');
    await writeParquet(
      file,
      `SELECT * FROM (VALUES
        ('nice', TIMESTAMPTZ '1999-03-01 10:00:00+00', 'nice-pq-01', 'pm25', 12.5),
        ('nice', TIMESTAMPTZ '1999-03-01 11:00:00+00', 'nice-pq-01', 'pm25', -3.0),
        ('paris', TIMESTAMPTZ '1999-03-01 11:00:00+00', 'p-1', 'pm25', 3.0),
        ('nice', TIMESTAMPTZ '1999-03-01 12:00:00+00', 'nice-pq-01', 'pm25', NULL),
        ('zhengzhou', TIMESTAMPTZ '1999-03-01 12:00:00+00', 'zz-pq-01', 'no2', 40.0)
      ) AS t("City", "TS", device, "METRIC", value)`,
    );
    const result = await ucap('import', file);
    expect(result.stderr).toMatch(/row 2: INGEST_OUT_OF_RANGE/);
    expect(result.stderr).toMatch(/row 3: INGEST_UNKNOWN_CITY/);
    expect(result.stderr).toMatch(/row 4: INGEST_INVALID_PAYLOAD/);
    expect(result.stderr).toMatch(/imported 2 readings, refused 3 rows, registered 2 import-only devices/);
    expect(result.code).toBe(2);

    const texts = join(dataDir, 'texts.parquet');
    await writeParquet(
      texts,
      `SELECT * FROM (VALUES
        ('${Date.parse('1999-03-02T10:00:00Z')}', 'nice', 'nice-pq-01', 'pm25', '14'),
        ('1999-03-02T12:00:00+01:00', 'nice', 'nice-pq-01', 'pm25', '15'),
        ('1999-03-02T12:00:00', 'nice', 'nice-pq-01', 'pm25', '16')
      ) AS t(ts, city, device, metric, value)`,
    );
    const second = await ucap('import', texts);
    expect(second.stderr).toMatch(/row 3: INGEST_BAD_TIMESTAMP .*no UTC offset/);
    expect(second.stderr).toMatch(/imported 2 readings, refused 1 rows/);

    const readings = await storedReadings('1999-03-01T00:00:00Z', '1999-03-03T00:00:00Z');
    expect(readings.map((r) => [new Date(r.ts).toISOString(), r.value])).toEqual([
      ['1999-03-01T10:00:00.000Z', 12.5],
      ['1999-03-02T10:00:00.000Z', 14],
      ['1999-03-02T11:00:00.000Z', 15],
    ]);
  });

  it('refuses a Parquet file without the columns, or that is not Parquet, naming the file', async () => {
    const file = join(dataDir, 'wrong.parquet');
    await writeParquet(file, 'SELECT 1 AS ts, 2 AS reading');
    const missing = await ucap('import', file);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/wrong\.parquet: .*missing: city, device, metric, value/);
    const fake = join(dataDir, 'fake.parquet');
    await writeFile(fake, 'ts,city,device,metric,value\n');
    const notParquet = await ucap('import', fake);
    expect(notParquet.code).toBe(1);
    expect(notParquet.stderr).toMatch(/fake\.parquet: not a readable Parquet file/);
  });
});

async function writeParquet(file: string, select: string): Promise<void> {
  await scratchDuckDb(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
}

/** Readings of Nice the imports stored in DATA_DIR's embedded store, in [from, to). */
async function storedReadings(from: string, to: string) {
  const store = await createDuckDbStore({ path: join(dataDir, 'ucap.duckdb') });
  try {
    return await store.readings({
      city: 'nice',
      from: Date.parse(from),
      to: Date.parse(to),
      offset: 0,
      limit: 10,
    });
  } finally {
    await store.close();
  }
}
