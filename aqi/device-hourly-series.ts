import { type HourlySeriesQuery, meanAcrossDevices } from '../api/air-quality-data.ts';
import type { HourlyValue, PollutantSeries } from '../domain/air-quality/index.ts';
import { HOUR_MS } from '../domain/air-quality/local-calendar.ts';
import { AQ_POLLUTANTS, type AqPollutant } from '../domain/air-quality/pollutants.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';

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
  const perPollutant = await Promise.all(
    AQ_POLLUTANTS.map((metric) =>
      store.series({
        city: query.city,
        metric,
        from: query.from,
        to: query.to,
        everyMs: HOUR_MS,
        agg: 'mean',
        timeZone: query.timeZone,
      }),
    ),
  );
  const city: Partial<Record<AqPollutant, HourlyValue[]>> = {};
  const devices = new Map<string, Partial<Record<AqPollutant, HourlyValue[]>>>();
  AQ_POLLUTANTS.forEach((pollutant, k) => {
    const perDevice = (perPollutant[k] ?? []).filter((s) => s.points.length > 0);
    if (perDevice.length > 0) city[pollutant] = meanAcrossDevices(perDevice);
    for (const s of perDevice) {
      const series = devices.get(s.deviceId) ?? {};
      series[pollutant] = [...s.points];
      devices.set(s.deviceId, series);
    }
  });
  return { city, devices };
}
