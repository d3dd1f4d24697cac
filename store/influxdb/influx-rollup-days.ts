import { type DayZoneOf, localDayOf, type Range } from '../rollup-days.ts';
import { HOUR_MS } from '../rollup-plan.ts';
import type { InfluxHttp } from './influx-http.ts';
import { quoteIdent, quoteString } from './influx-schema.ts';
import { tagEquals, timeRange, where } from './influxql.ts';

/**
 * Daily rollups in InfluxDB (rollup-days.ts):
 *
 *   readings_1d  tags   city, device, metric (as readings)
 *                fields n (integer), total, low, high (floats), summed from readings_1h
 *                time   the local midnight starting the day, in the city's zone
 *
 * Days are summed by InfluxDB itself (SELECT … INTO … GROUP BY time(1d) tz(zone)), every device of
 * a city at once: a point per day replaces the last, so recomputing a day is idempotent.
 */
export const READINGS_1H = 'readings_1h';
export const READINGS_1D = 'readings_1d';

const DAY_FIELDS = 'sum("n") AS n, sum("total") AS total, min("low") AS low, max("high") AS high';

/** Days are summed in windows of at most this many, so no single statement holds many buckets. */
const WINDOW_DAYS = 31;

export interface CityHour {
  readonly city: string;
  readonly hour: number;
  /** The one device whose rollups of the hour changed, when known (day blocks rewrite only its own). */
  readonly deviceId?: string;
}

/** Recomputes the days (of every device and metric of the city) holding these hours. */
export async function recomputeDays(
  http: InfluxHttp,
  hours: Iterable<CityHour>,
  zoneOf: DayZoneOf,
): Promise<void> {
  const byCity = new Map<string, Map<number, Range>>();
  for (const { city, hour } of hours) {
    const zone = zoneOf(city);
    const day = zone === undefined ? undefined : localDayOf(hour, zone);
    if (day === undefined) continue;
    let days = byCity.get(city);
    if (days === undefined) {
      days = new Map();
      byCity.set(city, days);
    }
    days.set(day.from, day);
  }
  for (const [city, days] of byCity) {
    const zone = zoneOf(city) ?? 'UTC';
    for (const run of dayRuns([...days.values()])) {
      await http.query(
        `SELECT ${DAY_FIELDS} INTO ${quoteIdent(READINGS_1D)} FROM ${quoteIdent(READINGS_1H)}${where([
          tagEquals('city', city),
          ...timeRange(run.from, run.to),
        ])} GROUP BY time(1d), "city", "device", "metric" fill(none) tz(${quoteString(zone)})`,
      );
    }
  }
}

/** Consecutive days merged into runs of at most WINDOW_DAYS days. */
function dayRuns(days: readonly Range[]): Range[] {
  const runs: { from: number; to: number; days: number }[] = [];
  for (const day of [...days].sort((a, b) => a.from - b.from)) {
    const last = runs.at(-1);
    if (last !== undefined && last.to === day.from && last.days < WINDOW_DAYS) {
      last.to = day.to;
      last.days += 1;
    } else runs.push({ ...day, days: 1 });
  }
  return runs;
}

/** Every day of each city holding hourly rollups in [from, to) is recomputed (store opening). */
export async function recomputeDaysOfRange(
  http: InfluxHttp,
  from: number | undefined,
  to: number | undefined,
  zoneOf: DayZoneOf,
): Promise<void> {
  await recomputeDays(http, await rolledUpHoursOf(http, from, to), zoneOf);
}

/** Every hour of each city holding hourly rollups in [from, to) (unbounded when undefined). */
export async function rolledUpHoursOf(
  http: InfluxHttp,
  from: number | undefined,
  to: number | undefined,
): Promise<CityHour[]> {
  const tags = await http.query(`SHOW TAG VALUES FROM ${quoteIdent(READINGS_1H)} WITH KEY = "city"`);
  const cities = (tags.series[0]?.values ?? []).map((row) => String(row[1]));
  const hours: CityHour[] = [];
  for (const city of cities) {
    const filter = where([tagEquals('city', city), ...timeRange(from, to)]);
    const bounds = await http.query(`SELECT first("n") AS a FROM ${quoteIdent(READINGS_1H)}${filter}`);
    const lastOf = await http.query(`SELECT last("n") AS a FROM ${quoteIdent(READINGS_1H)}${filter}`);
    const first = bounds.series[0]?.values[0]?.[0];
    const last = lastOf.series[0]?.values[0]?.[0];
    if (typeof first !== 'number' || typeof last !== 'number') continue;
    for (let hour = first; hour <= last; hour += HOUR_MS) hours.push({ city, hour });
  }
  return hours;
}
