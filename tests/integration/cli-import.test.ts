import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceRegistryPath, openDeviceRegistry } from '../../devices/device-registry.ts';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';
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
    const store = await createDuckDbStore({ path: join(dataDir, 'ucap.duckdb') });
    try {
      const readings = await store.readings({
        city: 'nice',
        from: Date.parse('1998-01-01T00:00:00Z'),
        to: Date.parse('1999-01-01T00:00:00Z'),
        offset: 0,
        limit: 10,
      });
      expect(readings.map((r) => [r.ts, r.value])).toEqual([
        [Date.parse('1998-06-01T12:00:00Z'), 41.5],
        [Date.parse('1998-06-01T13:00:00Z'), 38],
      ]);
    } finally {
      await store.close();
    }
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

  it('refuses a file whose header does not name the columns', async () => {
    const file = join(dataDir, 'bad-header.csv');
    await writeFile(file, 'time,where,value\n1,2,3\n');
    const result = await ucap('import', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/line 1: .*missing: ts, city, device, metric/);
  });
});
