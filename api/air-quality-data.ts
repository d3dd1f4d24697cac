import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import { AQ_POLLUTANTS, type HourlyValue, type PollutantSeries } from '../domain/air-quality/index.ts';
import { addDays, HOUR_MS, localDateKey, startOfLocalDay } from '../domain/air-quality/local-calendar.ts';
import type { DeviceSeries, TimeSeriesStore } from '../store/time-series-store.ts';

/**
 * Hourly means per pollutant, read from the store, as the air-quality module takes them. With a
 * device: that device's hourly means. Without: the city — per hour, the mean of the hourly means of
 * the devices that reported that hour (each device weighs the same, however often it publishes).
 */
export interface HourlySeriesQuery {
  readonly city: string;
  readonly deviceId?: string;
  /** [from, to) epoch ms of the data to read (callers add the look-back their averages need). */
  readonly from: number;
  readonly to: number;
  readonly timeZone: string;
  /** Cancels the store queries (the request's deadline, or its client gone). */
  readonly signal?: AbortSignal;
}

export interface HourlySeries {
  readonly series: PollutantSeries;
  /** Devices whose readings entered the series, sorted. */
  readonly devices: readonly string[];
}

/**
 * Data read around the requested range: the longest trailing average any standard takes is 24
 * hours (PM and SO2 running means), and the US EPA daily ozone maximum takes 8-hour windows that
 * begin as late as 23:00, so they end up to 7 hours into the next day.
 */
export const AVERAGING_MARGIN_MS = 24 * HOUR_MS;

/**
 * Hourly means of every pollutant, one store query per pollutant (the store answers per device);
 * in AQ_POLLUTANTS order. Shared by the API's reads and the index-series maintainer.
 */
export function readPollutantSeries(
  store: TimeSeriesStore,
  query: HourlySeriesQuery,
): Promise<DeviceSeries[][]> {
  return Promise.all(
    AQ_POLLUTANTS.map((metric) =>
      store.series({
        city: query.city,
        metric,
        ...(query.deviceId === undefined ? {} : { deviceId: query.deviceId }),
        from: query.from,
        to: query.to,
        everyMs: HOUR_MS,
        agg: 'mean',
        timeZone: query.timeZone,
        ...(query.signal === undefined ? {} : { signal: query.signal }),
      }),
    ),
  );
}

export async function fetchHourlySeries(
  store: TimeSeriesStore,
  query: HourlySeriesQuery,
): Promise<HourlySeries> {
  const perPollutant = await readPollutantSeries(store, query);
  const series: Partial<Record<(typeof AQ_POLLUTANTS)[number], HourlyValue[]>> = {};
  const devices = new Set<string>();
  for (const [k, pollutant] of AQ_POLLUTANTS.entries()) {
    const perDevice = (perPollutant[k] ?? []).filter((s) => s.points.length > 0);
    for (const s of perDevice) devices.add(s.deviceId);
    if (perDevice.length > 0) series[pollutant] = meanAcrossDevices(perDevice);
    // One pollutant of a city is tens of thousands of points: let other requests in between.
    await setImmediatePromise();
  }
  return { series, devices: [...devices].sort() };
}

/** Per hour, the mean over the devices with a value for that hour; ascending by hour. */
export function meanAcrossDevices(perDevice: readonly DeviceSeries[]): HourlyValue[] {
  const sums = new Map<number, { sum: number; count: number }>();
  for (const device of perDevice) {
    for (const { ts, value } of device.points) {
      const entry = sums.get(ts);
      if (entry) {
        entry.sum += value;
        entry.count += 1;
      } else sums.set(ts, { sum: value, count: 1 });
    }
  }
  return [...sums.entries()]
    .sort(([a], [b]) => a - b)
    .map(([ts, { sum, count }]) => ({ ts, value: count === 1 ? sum : sum / count }));
}

/** Start of the hour (on the zone's hour grid, counted from local midnight) that holds `ts`. */
export function startOfLocalHour(ts: number, timeZone: string): number {
  const midnight = startOfLocalDay(localDateKey(ts, timeZone), timeZone);
  return midnight + Math.floor((ts - midnight) / HOUR_MS) * HOUR_MS;
}

/** [start of the local day holding `from`, start of the local day after the one holding `to - 1`). */
export function wholeLocalDays(from: number, to: number, timeZone: string): { from: number; to: number } {
  const first = localDateKey(from, timeZone);
  const last = localDateKey(to - 1, timeZone);
  return { from: startOfLocalDay(first, timeZone), to: startOfLocalDay(addDays(last, 1), timeZone) };
}

/** The local calendar year [1 Jan, next 1 Jan) of a zone, in epoch ms. */
export function localYear(year: number, timeZone: string): { from: number; to: number } {
  const key = (y: number) => `${String(y).padStart(4, '0')}-01-01`;
  return { from: startOfLocalDay(key(year), timeZone), to: startOfLocalDay(key(year + 1), timeZone) };
}
