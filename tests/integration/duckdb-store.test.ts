import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { isUcapError, type UcapError } from '../../domain/errors.ts';
import type { Reading, Rejection } from '../../domain/reading.ts';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';
import { describeStoreConformance } from '../store/store-conformance.ts';
import { CITY_HOURS_UPGRADE, conformanceDayZones } from '../store/store-conformance-support.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ucap-duckdb-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describeStoreConformance('duckdb file', async (options) => {
  const store = await createDuckDbStore({
    path: join(await tempDir(), 'nested', 'ucap.duckdb'),
    dayZoneOf: conformanceDayZones,
    ...options,
  });
  return { store, cleanup: () => store.close() };
});

describeStoreConformance('duckdb :memory:', async (options) => {
  const store = await createDuckDbStore({ path: ':memory:', dayZoneOf: conformanceDayZones, ...options });
  return { store, cleanup: () => store.close() };
});

async function rejectionOf(promise: Promise<unknown>): Promise<UcapError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isUcapError(error)) throw new Error(`expected a UcapError, got ${String(error)}`);
  return error;
}

describe('DuckDB store file', () => {
  const reading: Reading = {
    city: 'nice',
    deviceId: 'p-1',
    metric: 'no2',
    ts: Date.parse('2026-03-20T08:00:00Z'),
    value: 38.5,
  };
  const rejection: Rejection = {
    receivedAt: Date.parse('2026-03-20T08:00:01Z'),
    city: 'nice',
    deviceId: 'p-1',
    topic: 'ucap/nice/p-1/readings',
    code: 'INGEST_INVALID_JSON',
    reason: 'not JSON',
    payload: '{oops',
  };

  it('keeps readings and rejections across close and reopen', async () => {
    const path = join(await tempDir(), 'persist.duckdb');
    const first = await createDuckDbStore({ path });
    await first.writeReadings([reading]);
    await first.writeRejections([rejection]);
    await first.close();

    const second = await createDuckDbStore({ path });
    try {
      expect(await second.latest({ city: 'nice' })).toEqual([reading]);
      expect(await second.rejections({ limit: 10 })).toEqual([rejection]);
      await second.writeReadings([{ ...reading, value: 40 }]);
      expect(await second.latest({ city: 'nice' })).toEqual([{ ...reading, value: 40 }]);
    } finally {
      await second.close();
    }
  });

  it('opens a file written before the time-source column existed: old rows read as device time', async () => {
    const path = join(await tempDir(), 'old.duckdb');
    const old = await DuckDBInstance.create(path);
    const connection = await old.connect();
    await connection.run(`CREATE TABLE readings (city VARCHAR NOT NULL, device_id VARCHAR NOT NULL,
      metric VARCHAR NOT NULL, ts BIGINT NOT NULL, value DOUBLE NOT NULL, PRIMARY KEY (city, device_id, metric, ts));
      INSERT INTO readings VALUES ('nice', 'p-1', 'no2', ${reading.ts}, 38.5)`);
    connection.closeSync();
    old.closeSync();
    const store = await createDuckDbStore({ path });
    try {
      expect(await store.latest({ city: 'nice' })).toEqual([reading]);
      const later = { ...reading, deviceId: 'p-2', timeSource: 'receive' as const };
      await store.writeReadings([later]);
      expect(await store.latest({ city: 'nice', deviceId: 'p-2' })).toEqual([later]);
      const all = { city: 'nice', from: reading.ts, to: reading.ts + 1, offset: 0, limit: 10 };
      expect(await store.readings(all)).toEqual([reading, later]);
    } finally {
      await store.close();
    }
  });

  it('names a stored metric the catalog does not know when raw readings are read back', async () => {
    const path = join(await tempDir(), 'unknown-metric.duckdb');
    const store = await createDuckDbStore({ path });
    await store.writeReadings([reading]);
    await store.close();
    const raw = await DuckDBInstance.create(path);
    const connection = await raw.connect();
    await connection.run(
      `INSERT INTO readings (city, device_id, metric, ts, value) VALUES ('nice', 'p-1', 'pm1', ${reading.ts}, 3)`,
    );
    connection.closeSync();
    raw.closeSync();
    const reopened = await createDuckDbStore({ path });
    try {
      const all = { city: 'nice', from: reading.ts, to: reading.ts + 1, offset: 0, limit: 10 };
      await expect(reopened.readings(all)).rejects.toThrow(/unknown metric "pm1"/);
      expect(await reopened.readings({ ...all, metrics: ['no2'] })).toEqual([reading]);
    } finally {
      await reopened.close();
    }
  });

  it('opens a file whose hourly rollups predate city hours: city means come from them at once', async () => {
    const path = join(await tempDir(), 'no-city-hours.duckdb');
    const first = await createDuckDbStore({ path });
    await first.writeReadings(CITY_HOURS_UPGRADE.readings);
    await first.rollUp();
    await first.close();
    const old = await DuckDBInstance.create(path);
    const connection = await old.connect();
    await connection.run('DROP TABLE readings_1h_city');
    connection.closeSync();
    old.closeSync();
    const store = await createDuckDbStore({ path });
    try {
      expect(await store.cityMeanSeries(CITY_HOURS_UPGRADE.query)).toEqual(CITY_HOURS_UPGRADE.expected);
    } finally {
      await store.close();
    }
  });

  it('rolls up an import of many devices at once within a small buffer pool', async () => {
    const store = await createDuckDbStore({
      path: join(await tempDir(), 'import.duckdb'),
      memoryLimit: '32MB',
    });
    try {
      const start = Date.parse('2026-03-01T00:00:00Z');
      const readings: Reading[] = [];
      for (let step = 0; step < 10 * 48; step += 1)
        for (let d = 0; d < 100; d += 1)
          for (const metric of ['pm25', 'no2'] as const)
            readings.push({
              city: 'nice',
              deviceId: `d-${d}`,
              metric,
              ts: start + step * 1_800_000,
              value: d,
            });
      for (let i = 0; i < readings.length; i += 20_000)
        await store.writeReadings(readings.slice(i, i + 20_000));
      await store.rollUp();
      const mean = await store.cityMeanSeries({
        city: 'nice',
        metric: 'no2',
        from: start,
        to: start + 10 * 86_400_000,
        everyMs: 3_600_000,
        agg: 'mean',
        timeZone: 'UTC',
      });
      expect(mean.points).toHaveLength(240);
      expect(mean.devices).toHaveLength(100);
      expect(mean.points.every((p) => p.value === 49.5)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('refuses a second store on the same file in this process, and allows it after close', async () => {
    const path = join(await tempDir(), 'twice.duckdb');
    const first = await createDuckDbStore({ path });
    const error = await rejectionOf(createDuckDbStore({ path }));
    expect(error.code).toBe('STORE_LOCKED');
    expect(error.message).toContain(path);
    await first.close();
    await (await createDuckDbStore({ path })).close();
  });

  it('fails a batch it cannot store as a whole, with a non-retryable STORE_WRITE_FAILED, and keeps working', async () => {
    const store = await createDuckDbStore({ path: ':memory:' });
    try {
      const good = { ...reading, deviceId: 'p-good' };
      const broken = { ...reading, deviceId: 'p-broken', ts: Number.NaN };
      const error = await rejectionOf(store.writeReadings([good, broken]));
      expect(error.code).toBe('STORE_WRITE_FAILED');
      expect(error.canRetry()).toBe(false);
      expect(error.cause).toBeInstanceOf(Error);
      const next = { ...reading, deviceId: 'p-next' };
      await store.writeReadings([next]);
      expect(await store.latest({ city: 'nice' })).toEqual([next]);
    } finally {
      await store.close();
    }
  });

  it('applies concurrent writes one after another in call order, while reads go on', async () => {
    const store = await createDuckDbStore({ path: ':memory:' });
    try {
      const calls = Array.from({ length: 20 }, (_, i) => [
        store.writeReadings(
          Array.from({ length: 500 }, (_, k) => ({ ...reading, ts: reading.ts + k * 1000, value: i })),
        ),
        store.latest({ city: 'nice' }),
      ]);
      await Promise.all(calls.flat());
      const latest = await store.latest({ city: 'nice' });
      expect(latest).toEqual([{ ...reading, ts: reading.ts + 499_000, value: 19 }]);
    } finally {
      await store.close();
    }
  });

  it('reports a query DuckDB cannot answer as STORE_QUERY_FAILED with the cause', async () => {
    const store = await createDuckDbStore({ path: ':memory:' });
    try {
      await store.writeReadings([{ ...reading, metric: 'pm25' }]);
      const error = await rejectionOf(
        store.series({
          city: 'nice',
          metric: 'pm25',
          from: 0,
          to: Date.parse('2027-01-01T00:00:00Z'),
          everyMs: 3_600_000,
          agg: 'mean',
          timeZone: 'Mars/Olympus',
        }),
      );
      expect(error.code).toBe('STORE_QUERY_FAILED');
      expect(error.message).toContain('Mars/Olympus');
      expect(error.cause).toBeInstanceOf(Error);
    } finally {
      await store.close();
    }
  });
});

const storeModule = fileURLToPath(new URL('../../store/duckdb/duckdb-store.ts', import.meta.url));

// Opens the file in a separate Node process, prints one JSON line with the outcome, then holds the
// file open until its stdin ends.
const CHILD = `
const { createDuckDbStore } = await import(process.env.STORE_MODULE);
try {
  const store = await createDuckDbStore({ path: process.env.STORE_PATH });
  console.log(JSON.stringify({ opened: true }));
  process.stdin.resume();
  process.stdin.on('end', async () => { await store.close(); process.exit(0); });
} catch (error) {
  console.log(JSON.stringify({ opened: false, code: error.code, message: error.message }));
  process.exit(0);
}
`;

interface ChildOutcome {
  opened: boolean;
  code?: string;
  message?: string;
}

async function openInChild(path: string): Promise<{ child: ChildProcess; outcome: ChildOutcome }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    env: { ...process.env, STORE_MODULE: storeModule, STORE_PATH: path },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  if (!child.stdout) throw new Error('no stdout');
  const lines = createInterface({ input: child.stdout });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`child exited with ${String(code)} before reporting`);
    }),
  ])) as [string];
  return { child, outcome: JSON.parse(line) as ChildOutcome };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.stdin?.end();
  await exited;
}

describe('DuckDB store file held by another process', () => {
  it('fails to open with STORE_LOCKED naming the file and the two ways out, until the other process closes', async () => {
    const path = join(await tempDir(), 'held.duckdb');
    const { child, outcome } = await openInChild(path);
    try {
      expect(outcome.opened).toBe(true);
      const error = await rejectionOf(createDuckDbStore({ path }));
      expect(error.code).toBe('STORE_LOCKED');
      expect(error.message).toContain(path);
      expect(error.message).toContain('npm start');
      expect(error.message).toContain('INFLUX_URL');
      expect(error.cause).toBeInstanceOf(Error);
    } finally {
      await stopChild(child);
    }
    const store = await createDuckDbStore({ path });
    await store.close();
  });

  it('makes the other process fail with STORE_LOCKED while this one holds the file', async () => {
    const path = join(await tempDir(), 'mine.duckdb');
    const store = await createDuckDbStore({ path });
    try {
      const { child, outcome } = await openInChild(path);
      await stopChild(child);
      expect(outcome).toMatchObject({ opened: false, code: 'STORE_LOCKED' });
      expect(outcome.message).toContain(path);
    } finally {
      await store.close();
    }
  });
});
