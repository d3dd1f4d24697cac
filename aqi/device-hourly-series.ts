import type { HourlyValue, PollutantSeries } from '../domain/air-quality/index.ts';
import { AQ_POLLUTANTS, type AqPollutant } from '../domain/air-quality/pollutants.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import { fetchHourlySeries, type HourlySeriesQuery, readPollutantSeries } from './hourly-pollutant-series.ts';

export interface CityAndDeviceSeries {
  /** The city: per hour, the mean of the hourly means of the devices that reported it (as /v1/aqi). */
  readonly city: PollutantSeries;
  /** Each device's own hourly means, by device id. */
  readonly devices: ReadonlyMap<string, PollutantSeries>;
}

/**
 * Hourly means of every pollutant for a city and for each of its devices, from one store query per
 * pollutant (the store already answers per device), instead of one per device and pollutant.
 */
export async function fetchDeviceHourlySeries(
  store: TimeSeriesStore,
  query: Omit<HourlySeriesQuery, 'deviceId'>,
): Promise<CityAndDeviceSeries> {
  // The city's series as /v1/aqi reads it (the store's own mean), so stored and computed agree.
  const [perPollutant, city] = await Promise.all([
    readPollutantSeries(store, query),
    fetchHourlySeries(store, query),
  ]);
  const devices = new Map<string, Partial<Record<AqPollutant, HourlyValue[]>>>();
  AQ_POLLUTANTS.forEach((pollutant, k) => {
    const perDevice = (perPollutant[k] ?? []).filter((s) => s.points.length > 0);
    for (const s of perDevice) {
      const series = devices.get(s.deviceId) ?? {};
      series[pollutant] = [...s.points];
      devices.set(s.deviceId, series);
    }
  });
  return { city: city.series, devices };
}

/** Which devices have an hourly mean of any pollutant in [from, to), sorted: a lookup per device. */
export function devicesReporting(
  devices: ReadonlyMap<string, PollutantSeries>,
): (from: number, to: number) => string[] {
  const hours = [...devices.entries()]
    .map(([deviceId, series]): [string, number[]] => [
      deviceId,
      [...new Set(Object.values(series).flatMap((points) => (points ?? []).map((p) => p.ts)))].sort(
        (a, b) => a - b,
      ),
    ])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return (from, to) => hours.filter(([, ts]) => firstAtOrAfter(ts, from) < to).map(([deviceId]) => deviceId);
}

/** The first element of ascending `sorted` at or after `t` (Infinity when none). */
function firstAtOrAfter(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? Number.POSITIVE_INFINITY) < t) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo] ?? Number.POSITIVE_INFINITY;
}
