import { expect } from 'vitest';
import type { Reading } from '../../domain/reading.ts';
import type { DayZoneOf } from '../../store/rollup-days.ts';
import type {
  CityMeanSeries,
  DeviceSeries,
  SeriesQuery,
  TimeSeriesStore,
} from '../../store/time-series-store.ts';

/** The store under test, read lazily because it is opened in beforeAll. */
export interface ConformanceContext {
  readonly store: TimeSeriesStore;
}

export function t(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test timestamp ${iso}`);
  return ms;
}

// A short per-run tag keeps ids unique even if an adapter's test reuses a non-empty store.
const runTag = Math.random().toString(36).slice(2, 6);

/** A city id and device ids of one test's own, so tests never see each other's data. */
export function scope(name: string): { city: string; dev: (suffix: string) => string } {
  const city = `${name}-${runTag}`;
  return { city, dev: (suffix) => `${city}-${suffix}` };
}

/**
 * The zone of each test city's local days, which the adapters under test are opened with: cities of
 * scopes named `shanghai-…` keep Asia/Shanghai days, every other test city Europe/Paris days.
 */
export const conformanceDayZones: DayZoneOf = (city) =>
  city.startsWith('shanghai-') ? 'Asia/Shanghai' : 'Europe/Paris';

/**
 * Asks twice: first while the written hours are not rolled up yet (read from the raw readings),
 * then after rollUp() (read from the rollups). Both answers must agree; returns the second.
 */
export async function seriesBeforeAndAfterRollUp(
  store: TimeSeriesStore,
  q: SeriesQuery,
): Promise<DeviceSeries[]> {
  const fresh = await store.series(q);
  await store.rollUp();
  const rolled = await store.series(q);
  expectSameSeries(rolled, fresh);
  return rolled;
}

/** Same devices and bucket times, values equal to 9 decimals (sums may be added in another order). */
export function expectSameSeries(actual: DeviceSeries[], expected: DeviceSeries[]): void {
  expect(actual.map((d) => [d.deviceId, d.points.map((p) => p.ts)])).toEqual(
    expected.map((d) => [d.deviceId, d.points.map((p) => p.ts)]),
  );
  for (const [i, d] of actual.entries()) {
    for (const [j, p] of d.points.entries()) {
      expect(p.value).toBeCloseTo(expected[i]?.points[j]?.value ?? Number.NaN, 9);
    }
  }
}

/** The points of every series as [deviceId, ts, value]. */
export function points(series: DeviceSeries[]): Array<[string, number, number]> {
  return series.flatMap((s) => s.points.map((p): [string, number, number] => [s.deviceId, p.ts, p.value]));
}

const UPGRADE_HOUR = Date.parse('2026-03-20T08:00:00Z');

/**
 * A store written before city hours existed: readings of an hour days before the newest one (so
 * beyond the hours every open recomputes), the query over that hour and the city mean it must give
 * once the store has computed its city hours. The adapters' tests drop their own table or
 * measurement between writing and reopening.
 */
export const CITY_HOURS_UPGRADE: {
  readonly readings: readonly Reading[];
  readonly query: SeriesQuery;
  readonly expected: CityMeanSeries;
} = {
  readings: [
    { city: 'nice', deviceId: 'p-1', metric: 'pm25', ts: UPGRADE_HOUR, value: 10 },
    { city: 'nice', deviceId: 'p-1', metric: 'pm25', ts: UPGRADE_HOUR + 1_000, value: 20 },
    { city: 'nice', deviceId: 'p-2', metric: 'pm25', ts: UPGRADE_HOUR, value: 45 },
    { city: 'nice', deviceId: 'p-1', metric: 'no2', ts: UPGRADE_HOUR + 3 * 86_400_000, value: 38.5 },
  ],
  query: {
    city: 'nice',
    metric: 'pm25',
    from: UPGRADE_HOUR,
    to: UPGRADE_HOUR + 3_600_000,
    everyMs: 3_600_000,
    agg: 'mean',
    timeZone: 'UTC',
  },
  expected: { points: [{ ts: UPGRADE_HOUR, value: (15 + 45) / 2 }], devices: ['p-1', 'p-2'] },
};
