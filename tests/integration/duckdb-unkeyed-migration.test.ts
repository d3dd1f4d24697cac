import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';

// Files written by earlier versions have PRIMARY KEY (city, device_id, metric, ts) on readings;
// opening them drops the key (a one-time copy) and keeps every reading and the replace-on-rewrite rule.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ucap-duckdb-migrate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('embedded store file from an earlier version', () => {
  it('opens a keyed readings table, keeps its rows, and a rewrite still replaces instead of adding', async () => {
    const path = join(dir, 'old.duckdb');
    const old = await DuckDBInstance.create(path);
    const c = await old.connect();
    await c.run(`CREATE TABLE readings (city VARCHAR NOT NULL, device_id VARCHAR NOT NULL, metric VARCHAR NOT NULL,
      ts BIGINT NOT NULL, value DOUBLE NOT NULL, time_source VARCHAR, PRIMARY KEY (city, device_id, metric, ts))`);
    await c.run(`INSERT INTO readings VALUES ('nice', 'old-1', 'pm25', 1764000000000, 12, 'device'),
      ('nice', 'old-1', 'pm25', 1764000060000, 13, 'device')`);
    c.disconnectSync();
    old.closeSync();

    const store = await createDuckDbStore({ path });
    try {
      await store.writeReadings([
        { city: 'nice', deviceId: 'old-1', metric: 'pm25', ts: 1764000060000, value: 99 },
        { city: 'nice', deviceId: 'old-1', metric: 'pm25', ts: 1764000120000, value: 14 },
      ]);
      const series = await store.series({
        city: 'nice',
        metric: 'pm25',
        deviceId: 'old-1',
        from: 1764000000000,
        to: 1764000180000,
        everyMs: 60_000,
        agg: 'max',
        timeZone: 'UTC',
      });
      expect(series[0]?.points).toEqual([
        { ts: 1764000000000, value: 12 },
        { ts: 1764000060000, value: 99 },
        { ts: 1764000120000, value: 14 },
      ]);
    } finally {
      await store.close();
    }
    const reopened = await DuckDBInstance.create(path);
    const check = await reopened.connect();
    const keys = await check.runAndReadAll(
      `SELECT count(*)::INTEGER FROM duckdb_constraints() WHERE table_name = 'readings' AND constraint_type = 'PRIMARY KEY'`,
    );
    expect(keys.getRows()[0]?.[0]).toBe(0);
    check.disconnectSync();
    reopened.closeSync();
  });
});
