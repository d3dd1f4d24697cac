import { Point } from '@influxdata/influxdb-client';
import type { DayZoneOf, Range } from '../rollup-days.ts';
import { HOUR_MS } from '../rollup-plan.ts';
import type { SeriesPoint, SeriesQuery } from '../time-series-store.ts';
import { recomputeDayBlocks } from './influx-day-blocks.ts';
import type { InfluxHttp } from './influx-http.ts';
import type { StatementResult } from './influx-results.ts';
import { type CityHour, READINGS_1H, recomputeDays } from './influx-rollup-days.ts';
import { quoteIdent, READING_TAGS } from './influx-schema.ts';
import { tagEquals, timeRange, where } from './influxql.ts';

/**
 * City hours in InfluxDB:
 *
 *   readings_1h_city  tags   city, metric
 *                     fields devices (integer: devices with an hourly rollup), total (float: the
 *                            sum of their hourly means)
 *                     time   start of the UTC hour
 *
 * A city's hourly mean — what air-quality assessments read — is then one point per hour instead
 * of one per device. InfluxDB averages the devices itself (a subquery over readings_1h), and the
 * points are written back whenever hours of readings_1h are recomputed (recomputeFromHours).
 */
export const READINGS_1H_CITY = 'readings_1h_city';

/** Hours per statement when recomputing: a week of a city is ~168 points per metric. */
const WINDOW_MS = 7 * 24 * HOUR_MS;

/** After hourly rollups of these hours changed: their days, their city hours and their day blocks. */
export async function recomputeFromHours(
  http: InfluxHttp,
  hours: readonly CityHour[],
  zoneOf: DayZoneOf,
): Promise<void> {
  await recomputeDays(http, hours, zoneOf);
  await recomputeCityHours(http, hours);
  await recomputeDayBlocks(http, hours);
}

export async function recomputeCityHours(http: InfluxHttp, hours: readonly CityHour[]): Promise<void> {
  const byCity = new Map<string, number[]>();
  for (const { city, hour } of hours) {
    const list = byCity.get(city) ?? [];
    list.push(hour);
    byCity.set(city, list);
  }
  for (const [city, list] of byCity) {
    for (const run of windows(list)) {
      const range = where(timeRange(run.from, run.to));
      const inner = `SELECT "total" / "n" AS "m" FROM ${quoteIdent(READINGS_1H)}${where([tagEquals('city', city), ...timeRange(run.from, run.to)])}`;
      const result = await http.query(
        `SELECT sum("m") AS total, count("m") AS devices FROM (${inner})${range} GROUP BY time(1h), ${quoteIdent(READING_TAGS.metric)} fill(none)`,
      );
      const lines = cityHourLines(city, result);
      for (let i = 0; i < lines.length; i += 5000) await http.write(lines.slice(i, i + 5000), 'ms');
    }
  }
}

/** The hours as [from, to) runs of whole hours, at most a week each. */
function windows(hours: readonly number[]): Range[] {
  const runs: { from: number; to: number }[] = [];
  for (const hour of [...new Set(hours)].sort((a, b) => a - b)) {
    const last = runs.at(-1);
    if (last !== undefined && hour < last.from + WINDOW_MS) last.to = hour + HOUR_MS;
    else runs.push({ from: hour, to: hour + HOUR_MS });
  }
  return runs;
}

function cityHourLines(city: string, result: StatementResult): string[] {
  const lines: string[] = [];
  for (const series of result.series) {
    const metric = series.tags?.metric;
    if (metric === undefined || metric === '') continue;
    const [ti, si, di] = ['time', 'total', 'devices'].map((c) => series.columns.indexOf(c)) as number[];
    for (const row of series.values) {
      const [time, total, devices] = [row[ti ?? -1], row[si ?? -1], row[di ?? -1]];
      if (typeof time !== 'number' || typeof total !== 'number' || typeof devices !== 'number') continue;
      if (devices === 0) continue;
      const line = new Point(READINGS_1H_CITY)
        .tag('city', city)
        .tag('metric', metric)
        .intField('devices', devices)
        .floatField('total', total)
        .timestamp(String(time))
        .toLineProtocol();
      if (line !== undefined) lines.push(line);
    }
  }
  return lines;
}

/** A city's hourly means over these whole-hour ranges, and the devices behind them (sorted). */
export async function readCityHours(
  http: InfluxHttp,
  query: SeriesQuery,
  ranges: readonly Range[],
): Promise<{ points: SeriesPoint[]; devices: string[] }> {
  const options = { signal: query.signal };
  const filter = (range: Range) =>
    where([
      tagEquals('city', query.city),
      tagEquals('metric', query.metric),
      ...timeRange(range.from, range.to),
    ]);
  const results = await Promise.all(
    ranges.map((range) =>
      Promise.all([
        http.query(`SELECT "total", "devices" FROM ${quoteIdent(READINGS_1H_CITY)}${filter(range)}`, options),
        http.query(
          `SELECT count("n") FROM ${quoteIdent(READINGS_1H)}${filter(range)} GROUP BY ${quoteIdent(READING_TAGS.device)}`,
          options,
        ),
      ]),
    ),
  );
  const points: SeriesPoint[] = [];
  const devices = new Set<string>();
  for (const [hours, reporting] of results) {
    for (const series of hours.series) {
      const [ti, si, di] = ['time', 'total', 'devices'].map((c) => series.columns.indexOf(c)) as number[];
      for (const row of series.values) {
        const [ts, total, count] = [row[ti ?? -1], row[si ?? -1], row[di ?? -1]];
        if (typeof ts !== 'number' || typeof total !== 'number' || typeof count !== 'number' || count === 0)
          continue;
        points.push({ ts, value: count === 1 ? total : total / count });
      }
    }
    for (const series of reporting.series) devices.add(series.tags?.device ?? '');
  }
  return { points, devices: [...devices].sort() };
}
