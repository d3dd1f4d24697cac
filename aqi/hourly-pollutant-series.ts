import { AQ_POLLUTANTS, type HourlyValue, type PollutantSeries } from '../domain/air-quality/index.ts';
import { HOUR_MS } from '../domain/air-quality/local-calendar.ts';
import type { AqPollutant } from '../domain/air-quality/pollutants.ts';
import type { DeviceSeries, SeriesQuery, TimeSeriesStore } from '../store/time-series-store.ts';

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
 * Each device's hourly means of every pollutant, one store query per pollutant (the store answers
 * per device); in AQ_POLLUTANTS order. For the index-series maintainer, which keeps device series.
 */
export function readPollutantSeries(
  store: TimeSeriesStore,
  query: HourlySeriesQuery,
): Promise<DeviceSeries[][]> {
  return Promise.all(AQ_POLLUTANTS.map((metric) => store.series(pollutantQuery(query, metric))));
}

function pollutantQuery(query: HourlySeriesQuery, metric: AqPollutant): SeriesQuery {
  return {
    city: query.city,
    metric,
    ...(query.deviceId === undefined ? {} : { deviceId: query.deviceId }),
    from: query.from,
    to: query.to,
    everyMs: HOUR_MS,
    agg: 'mean',
    timeZone: query.timeZone,
    ...(query.signal === undefined ? {} : { signal: query.signal }),
  };
}

/** The city's (or the device's) hourly means of every pollutant, averaged across devices by the store. */
export async function fetchHourlySeries(
  store: TimeSeriesStore,
  query: HourlySeriesQuery,
): Promise<HourlySeries> {
  const perPollutant = await Promise.all(
    AQ_POLLUTANTS.map((metric) => store.cityMeanSeries(pollutantQuery(query, metric))),
  );
  const series: Partial<Record<(typeof AQ_POLLUTANTS)[number], HourlyValue[]>> = {};
  const devices = new Set<string>();
  for (const [k, pollutant] of AQ_POLLUTANTS.entries()) {
    const mean = perPollutant[k];
    if (mean === undefined || mean.points.length === 0) continue;
    series[pollutant] = [...mean.points];
    for (const id of mean.devices) devices.add(id);
  }
  return { series, devices: [...devices].sort() };
}
