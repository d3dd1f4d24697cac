import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';
import { createInfluxStore } from '../../store/influxdb/influx-store.ts';
import type { SeriesQuery } from '../../store/time-series-store.ts';
import { emptyTestDatabase } from '../setup/influx-test-database.ts';

/**
 * A store written before rollups existed (or by a tool that bypasses the adapter) gets its hourly
 * rollups computed when the adapter opens it, so whole-hour series are right from the start.
 */
const T = Date.parse('2026-03-10T08:00:00Z');
const HOUR = 3_600_000;
const query: SeriesQuery = {
  city: 'nice',
  metric: 'pm25',
  from: T,
  to: T + 3 * HOUR,
  everyMs: HOUR,
  agg: 'mean',
  timeZone: 'Europe/Paris',
};
const expected = [
  {
    deviceId: 'nice-a',
    points: [
      { ts: T, value: 15 },
      { ts: T + 2 * HOUR, value: 40 },
    ],
  },
];

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('rollups of data written before they existed', () => {
  it('embedded store: computed once when the file is opened', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ucap-rollup-'));
    dirs.push(dir);
    const path = join(dir, 'old.duckdb');
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    await connection.run(`CREATE TABLE readings (city VARCHAR NOT NULL, device_id VARCHAR NOT NULL,
      metric VARCHAR NOT NULL, ts BIGINT NOT NULL, value DOUBLE NOT NULL, time_source VARCHAR,
      PRIMARY KEY (city, device_id, metric, ts));
      INSERT INTO readings VALUES ('nice', 'nice-a', 'pm25', ${T}, 10, 'device'),
        ('nice', 'nice-a', 'pm25', ${T + 1_800_000}, 20, 'device'),
        ('nice', 'nice-a', 'pm25', ${T + 2 * HOUR + 60_000}, 40, 'device');`);
    connection.disconnectSync();
    instance.closeSync();
    const store = await createDuckDbStore({ path });
    try {
      expect(await store.series(query)).toEqual(expected);
    } finally {
      await store.close();
    }
  });

  it('InfluxDB: computed once when the adapter opens the database', async () => {
    const url = inject('influxUrl');
    const database = `ucap_backfill_${Math.random().toString(36).slice(2, 8)}`;
    await fetch(`${url}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q: `CREATE DATABASE "${database}"` }),
    });
    const lines = [
      `readings,city=nice,device=nice-a,metric=pm25 value=10 ${T}`,
      `readings,city=nice,device=nice-a,metric=pm25 value=20 ${T + 1_800_000}`,
      `readings,city=nice,device=nice-a,metric=pm25 value=40 ${T + 2 * HOUR + 60_000}`,
    ];
    const written = await fetch(`${url}/write?db=${database}&precision=ms`, {
      method: 'POST',
      body: lines.join('\n'),
    });
    expect(written.status).toBe(204);
    const store = await createInfluxStore({ url, api: 'v1', database });
    try {
      expect(await store.series(query)).toEqual(expected);
    } finally {
      await store.close();
      await emptyTestDatabase(url, database);
    }
  });
});
