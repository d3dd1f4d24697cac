import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fetchHourlySeries } from '../../aqi/hourly-pollutant-series.ts';
import {
  createIndexSeriesMaintainer,
  type IndexSeriesMaintainer,
} from '../../aqi/index-series-maintainer.ts';
import { withIndexSeries } from '../../aqi/index-series-store.ts';
import { computeIndexSeries, type Hj633Result } from '../../domain/air-quality/index.ts';
import { CityCatalog, DEFAULT_CITIES } from '../../domain/cities.ts';
import type { Reading } from '../../domain/reading.ts';
import { createInfluxStore } from '../../store/influxdb/influx-store.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';
import { emptyTestDatabase } from '../setup/influx-test-database.ts';
import { indexSeriesOf } from './indexed-influx-store.ts';

/**
 * The index series on real InfluxDB 1.6: readings written through the real store (wrapped by
 * withIndexSeries), the maintainer flushed, the `aqi` measurement read back with InfluxQL as Grafana
 * reads it, and compared with what /v1/aqi computes from the same readings.
 */
const url = inject('influxUrl');
const DB = `ucap_index_series_${Math.random().toString(36).slice(2, 8)}`;
const HOUR = 3_600_000;
const DAY_START = Date.parse('2026-12-01T00:00:00+08:00');

let raw: TimeSeriesStore;
let store: TimeSeriesStore;
let maintainer: IndexSeriesMaintainer;
const cities = new CityCatalog(DEFAULT_CITIES);

async function influxQuery(q: string): Promise<{ columns: string[]; values: unknown[][] }[]> {
  const params = new URLSearchParams({ db: DB, q, epoch: 'ms' });
  const response = await fetch(`${url}/query?${params}`, { method: 'POST' });
  const body = (await response.json()) as {
    results: { error?: string; series?: { columns: string[]; values: unknown[][] }[] }[];
  };
  expect(body.results[0]?.error).toBeUndefined();
  return body.results[0]?.series ?? [];
}

function rowsOf(series: { columns: string[]; values: unknown[][] }[]): Record<string, unknown>[] {
  return series.flatMap((s) => s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]]))));
}

function day(device: string, pm25: (hour: number) => number): Reading[] {
  return Array.from({ length: 24 * 12 }, (_, k) => ({
    ts: DAY_START + k * 300_000,
    city: 'zhengzhou',
    deviceId: device,
    metric: 'pm25' as const,
    value: pm25(Math.floor(k / 12)),
  }));
}

beforeAll(async () => {
  raw = await createInfluxStore({ api: 'v1', url, database: DB });
  maintainer = createIndexSeriesMaintainer({
    store: raw,
    sink: indexSeriesOf(raw),
    cities,
  });
  store = withIndexSeries(raw, maintainer);
  await store.writeReadings(day('zz-1', () => 35.4));
  await store.writeReadings(day('zz-2', (h) => (h < 12 ? 20 : 80)));
  await maintainer.flush();
});

afterAll(async () => {
  await maintainer.close();
  await raw.close();
  await emptyTestDatabase(url, DB);
});

describe('index series in InfluxDB, kept by the maintainer', () => {
  it('stores the HJ 633 daily index of a device: 51, level 2, PM2.5 primary', async () => {
    const rows = rowsOf(
      await influxQuery(
        `SELECT "value", "level", "primary", "version", "incomplete", "si_pm25" FROM "aqi" WHERE "city" = 'zhengzhou' AND "scope" = 'device' AND "device" = 'zz-1' AND "standard" = 'hj633' AND "every" = '1d' AND time = ${DAY_START}ms`,
      ),
    );
    expect(rows).toEqual([
      {
        time: DAY_START,
        value: 51,
        level: 2,
        primary: 'pm25',
        version: '2026',
        incomplete: false,
        si_pm25: 51,
      },
    ]);
  });

  it('stores for the city the same numbers /v1/aqi computes, every hour and every day', async () => {
    const data = await fetchHourlySeries(raw, {
      city: 'zhengzhou',
      from: DAY_START - 2 * 24 * HOUR,
      to: DAY_START + 3 * 24 * HOUR,
      timeZone: 'Asia/Shanghai',
    });
    for (const standard of ['eaqi', 'hj633', 'epa'] as const) {
      for (const every of ['1h', '1d'] as const) {
        const expected = computeIndexSeries({
          standard,
          every,
          timeZone: 'Asia/Shanghai',
          from: DAY_START,
          to: DAY_START + 24 * HOUR,
          series: data.series,
        }).map((p) => [p.ts, 'aqi' in p.result ? p.result.aqi : p.result.overall?.index]);
        const stored = rowsOf(
          await influxQuery(
            `SELECT "value" FROM "aqi" WHERE "city" = 'zhengzhou' AND "scope" = 'city' AND "standard" = '${standard}' AND "every" = '${every}' AND time >= ${DAY_START}ms AND time < ${DAY_START + 24 * HOUR}ms`,
          ),
        ).map((r) => [r.time, r.value]);
        expect(stored, `${standard} ${every}`).toEqual(expected);
        expect(stored.length).toBeGreaterThan(0);
      }
    }
  });

  it('recomputes the hour and the day when a late reading arrives for an old hour', async () => {
    const hourQuery = `SELECT "value" FROM "aqi" WHERE "city" = 'zhengzhou' AND "scope" = 'device' AND "device" = 'zz-1' AND "standard" = 'hj633' AND "every" = '1h' AND time = ${DAY_START + 3 * HOUR}ms`;
    expect(rowsOf(await influxQuery(hourQuery))[0]?.value).toBe(51);
    // A device's buffered reading for 03:02:30 arrives late: the hour's mean becomes
    // (12 × 35.4 + 335.4) / 13 = 58.48.
    await store.writeReadings([
      {
        ts: DAY_START + 3 * HOUR + 150_000,
        city: 'zhengzhou',
        deviceId: 'zz-1',
        metric: 'pm25',
        value: 335.4,
      },
    ]);
    await maintainer.flush();
    // 58.48 µg/m³: (100 − 50)/(60 − 35) × 23.48 + 50 = 96.95 → 97
    expect(rowsOf(await influxQuery(hourQuery))[0]?.value).toBe(97);
    const daily = rowsOf(
      await influxQuery(
        `SELECT "value" FROM "aqi" WHERE "device" = 'zz-1' AND "standard" = 'hj633' AND "every" = '1d' AND time = ${DAY_START}ms`,
      ),
    );
    // Day mean 35.4 + 300/289 = 36.44 → (100 − 50)/25 × 1.44 + 50 = 52.9 → 53
    expect(daily.map((r) => r.value)).toEqual([53]);
  });

  it('does nothing when no reading touched a day since the last flush', async () => {
    expect(await maintainer.flush()).toEqual({ cities: 0, days: 0, rows: 0 });
  });
});

describe('the daily result it stores is the HJ 633 result itself', () => {
  it('keeps incomplete indices marked', () => {
    const r = computeIndexSeries({
      standard: 'hj633',
      version: '2012',
      every: '1h',
      timeZone: 'Asia/Shanghai',
      from: DAY_START,
      to: DAY_START + HOUR,
      series: { so2: [{ ts: DAY_START, value: 900 }], pm25: [{ ts: DAY_START, value: 40 }] },
    })[0]?.result as Hj633Result;
    expect(r.incomplete).toBe(true);
  });
});
