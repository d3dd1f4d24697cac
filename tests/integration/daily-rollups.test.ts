import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { Reading } from '../../domain/reading.ts';
import { parseConfig } from '../../platform/config.ts';
import { silentLogger } from '../../platform/logger.ts';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';
import { createInfluxStore } from '../../store/influxdb/influx-store.ts';
import { openStore } from '../../store/open-store.ts';
import { storeConfigSchema } from '../../store/store-config.ts';
import type { SeriesQuery, TimeSeriesStore } from '../../store/time-series-store.ts';
import { emptyTestDatabase } from '../setup/influx-test-database.ts';

/**
 * Whole-day series of a city in its own zone come from the daily rollups: with the raw readings
 * past their retention and the hourly rollups removed (or overwritten) behind the adapter's back, Nice's days
 * (Europe/Paris, from the built-in city catalog) still answer, and hourly series no longer do.
 * A store opened on data written before daily rollups existed computes them when it opens.
 */
const HOUR = 3_600_000;
const DAY = 86_400_000;
const start = Date.parse('2025-01-13T00:00:00+01:00');
const readings: Reading[] = Array.from({ length: 3 * 24 * 4 }, (_, i) => ({
  city: 'nice',
  deviceId: 'nice-a',
  metric: 'pm25',
  ts: start + i * 900_000,
  value: i % 24,
}));
const query = (everyMs: number, agg: SeriesQuery['agg']): SeriesQuery => ({
  city: 'nice',
  metric: 'pm25',
  from: start,
  to: start + 3 * DAY,
  everyMs,
  agg,
  timeZone: 'Europe/Paris',
});
const expectedDays = [0, 1, 2].map((d) => ({ ts: start + d * DAY, value: 96 }));

async function seedAndRetire(store: TimeSeriesStore): Promise<void> {
  await store.writeReadings(readings);
  await store.rollUp();
  expect(
    await store.readings({ city: 'nice', from: start, to: start + 3 * DAY, offset: 0, limit: 10 }),
  ).toEqual([]);
}

async function behindTheStore(path: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  await connection.run(sql);
  connection.disconnectSync();
  instance.closeSync();
}

/**
 * InfluxDB's hourly rollups of the seeded hours, readings_1h and its day blocks (24 hours of n,
 * total, low, high as float64 per UTC day), as if each hour held one reading of 0.
 */
function oneReadingPerHour(): string[] {
  const hours = Array.from({ length: 3 * 24 }, (_, h) => start + h * HOUR);
  const blocks = new Map<number, Buffer>();
  for (const hour of hours) {
    const day = Math.floor(hour / DAY) * DAY;
    const block = blocks.get(day) ?? Buffer.alloc(24 * 4 * 8);
    blocks.set(day, block);
    block.writeDoubleLE(1, ((hour - day) / HOUR) * 4 * 8);
  }
  const series = 'city=nice,device=nice-a,metric=pm25';
  return [
    ...hours.map((hour) => `readings_1h,${series} n=1i,total=0,low=0,high=0 ${hour}`),
    ...[...blocks].map(
      ([day, block]) => `readings_1h_packed,${series} hours="${block.toString('base64')}" ${day}`,
    ),
  ];
}

const dirs: string[] = [];

/** A store file whose readings are past their retention: only rollups hold them. */
async function retiredFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ucap-daily-'));
  dirs.push(dir);
  const path = join(dir, 'ucap.duckdb');
  const store = await createDuckDbStore({ path, rawRetentionDays: 30 });
  await seedAndRetire(store);
  await store.close();
  return path;
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('daily rollups', () => {
  it('embedded store: days of Nice answer from readings_1d alone', async () => {
    const path = await retiredFile();
    await behindTheStore(path, 'DELETE FROM readings_1h');
    const reopened = await createDuckDbStore({ path });
    try {
      expect(await reopened.series(query(DAY, 'count'))).toEqual([
        { deviceId: 'nice-a', points: expectedDays },
      ]);
      expect(await reopened.series(query(HOUR, 'count'))).toEqual([]);
    } finally {
      await reopened.close();
    }
  });

  it('embedded store: a file with hourly rollups but no daily ones gets them when opened', async () => {
    const path = await retiredFile();
    await behindTheStore(path, 'DROP TABLE readings_1d');
    await (await createDuckDbStore({ path })).close();
    await behindTheStore(path, 'DELETE FROM readings_1h');
    const reopened = await createDuckDbStore({ path });
    try {
      expect(await reopened.series(query(DAY, 'count'))).toEqual([
        { deviceId: 'nice-a', points: expectedDays },
      ]);
    } finally {
      await reopened.close();
    }
  });

  it('InfluxDB 1.6: days of Nice answer from readings_1d alone, also after reopening', async () => {
    const url = inject('influxUrl');
    const database = `ucap_daily_${Math.random().toString(36).slice(2, 8)}`;
    const store = await createInfluxStore({ url, api: 'v1', database, rawRetentionDays: 30 });
    try {
      await seedAndRetire(store);
      // Hourly rollups overwritten behind the adapter's back: each hour now claims one reading.
      const written = await fetch(`${url}/write?db=${database}&precision=ms`, {
        method: 'POST',
        body: oneReadingPerHour().join('\n'),
      });
      expect(written.status).toBe(204);
      expect(await store.series(query(DAY, 'count'))).toEqual([{ deviceId: 'nice-a', points: expectedDays }]);
      const hours = await store.series(query(HOUR, 'count'));
      expect(hours[0]?.points.map((p) => p.value)).toEqual(Array.from({ length: 3 * 24 }, () => 1));
      const reopened = await createInfluxStore({ url, api: 'v1', database, rawRetentionDays: 30 });
      try {
        expect(await reopened.series(query(DAY, 'count'))).toEqual([
          { deviceId: 'nice-a', points: expectedDays },
        ]);
      } finally {
        await reopened.close();
      }
    } finally {
      await store.close();
      await emptyTestDatabase(url, database);
    }
  });

  it.each([
    ['embedded store', false],
    ['InfluxDB 1.6', true],
  ])(
    '%s: RAW_RETENTION_DAYS from the environment is applied, except by a process told not to',
    async (_name, influx) => {
      const dir = await mkdtemp(join(tmpdir(), 'ucap-daily-'));
      dirs.push(dir);
      const url = inject('influxUrl');
      const database = `ucap_retention_${Math.random().toString(36).slice(2, 8)}`;
      const config = parseConfig(storeConfigSchema, {
        DATA_DIR: dir,
        RAW_RETENTION_DAYS: '30',
        ...(influx ? { INFLUX_URL: url, INFLUX_DB: database } : {}),
      });
      const raw = (store: TimeSeriesStore) =>
        store.readings({ city: 'nice', from: start, to: start + 3 * DAY, offset: 0, limit: 10 });
      const reader = await openStore(config, silentLogger(), { applyRetention: false });
      try {
        await reader.writeReadings(readings);
        await reader.rollUp();
        expect(await raw(reader)).toHaveLength(10);
      } finally {
        await reader.close();
      }
      const writer = await openStore(config, silentLogger());
      try {
        await writer.rollUp();
        expect(await raw(writer)).toEqual([]);
        expect(await writer.series(query(DAY, 'count'))).toEqual([
          { deviceId: 'nice-a', points: expectedDays },
        ]);
      } finally {
        await writer.close();
        if (influx) {
          await emptyTestDatabase(url, database);
        }
      }
    },
  );
});
