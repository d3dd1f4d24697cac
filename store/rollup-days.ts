import { wallClock, zoneOffsetMs } from '../domain/local-time.ts';
import { HOUR_MS, type HourKey, planRollupRead, wholeHourOffsets } from './rollup-plan.ts';
import { isPercentile, type SeriesQuery } from './time-series-store.ts';

/**
 * Daily rollups, shared by both adapters: per (city, device, metric, local calendar day of the
 * city) the count, sum, minimum and maximum, summed from the day's hourly rollups whenever one of
 * its hours is rolled up (again), so a late reading for an old hour fixes its day too. A day is one
 * local calendar day of the city's zone (23 or 25 hours on DST change days); cities whose zone is
 * unknown to the store, or whose offsets are not whole hours, have none (their days read hourly
 * rollups). A daily row is stamped with the UTC instant of its local midnight.
 */
export const DAY_MS = 86_400_000;

/** The zone of a city's local days (the city catalog's timeZone), undefined when not known. */
export type DayZoneOf = (city: string) => string | undefined;

export interface Range {
  readonly from: number;
  readonly to: number;
}

export interface DayKey {
  readonly city: string;
  readonly deviceId: string;
  readonly metric: string;
  /** Local midnight starting the day, and the next one (epoch ms). */
  readonly day: number;
  readonly end: number;
}

const dayCache = new Map<string, Range | null>();
const DAY_CACHE_LIMIT = 100_000;

/**
 * The local calendar day holding `ts` in a zone whose offsets are whole hours and whose days start
 * at 00:00 local time; undefined otherwise (such days are not rolled up).
 */
export function localDayOf(ts: number, timeZone: string): Range | undefined {
  const hour = Math.floor(ts / HOUR_MS) * HOUR_MS;
  const key = `${timeZone}\u0000${hour}`;
  let found = dayCache.get(key);
  if (found === undefined) {
    if (dayCache.size >= DAY_CACHE_LIMIT) dayCache.clear();
    const from = midnightBefore(hour, timeZone);
    const to = from === undefined ? undefined : midnightBefore(from + 26 * HOUR_MS, timeZone);
    found = from === undefined || to === undefined || to <= hour ? null : { from, to };
    dayCache.set(key, found);
  }
  return found ?? undefined;
}

function midnightBefore(hour: number, timeZone: string): number | undefined {
  const offset = zoneOffsetMs(hour, timeZone);
  if (offset % HOUR_MS !== 0) return undefined;
  const wallDay = Math.floor((hour + offset) / DAY_MS) * DAY_MS;
  // The offset at midnight may differ from the offset at `hour` (a DST change later that day).
  const start = wallDay - zoneOffsetMs(wallDay - offset, timeZone);
  const t = wallClock(start, timeZone);
  const isMidnight = t.hour === 0 && t.minute === 0 && t.second === 0;
  return isMidnight && start <= hour && Date.UTC(t.year, t.month - 1, t.day) === wallDay ? start : undefined;
}

/** The days holding these hours, once each, for cities with a known zone. */
export function dayKeysOf(keys: readonly HourKey[], zoneOf: DayZoneOf): DayKey[] {
  const days = new Map<string, DayKey>();
  for (const key of keys) {
    const zone = zoneOf(key.city);
    const day = zone === undefined ? undefined : localDayOf(key.hour, zone);
    if (day === undefined) continue;
    const id = `${key.city}\u0000${key.deviceId}\u0000${key.metric}\u0000${day.from}`;
    if (!days.has(id)) days.set(id, { ...key, day: day.from, end: day.to });
  }
  return [...days.values()];
}

/** The local days covering [from, to), aligned to local midnights (undefined: zone not supported). */
export function wholeDaysAround(from: number, to: number, timeZone: string): Range | undefined {
  const first = localDayOf(from, timeZone);
  const last = localDayOf(Math.max(from, to - 1), timeZone);
  return first === undefined || last === undefined ? undefined : { from: first.from, to: last.to };
}

/** Where each part of a series comes from. */
export interface SeriesReadPlan {
  readonly daily: readonly Range[];
  readonly hourly: readonly Range[];
  readonly raw: readonly Range[];
}

/**
 * How a series query is answered: whole settled local days from daily rollups when its buckets are
 * whole days of the city's own zone, whole settled hours from hourly rollups (planRollupRead), the
 * rest from raw readings. Undefined when nothing can come from rollups.
 */
export function planSeriesRead(
  query: SeriesQuery,
  staleFrom: number,
  zoneOf: DayZoneOf,
): SeriesReadPlan | undefined {
  // Percentiles need every reading: no rollup can give them.
  if (isPercentile(query.agg)) return undefined;
  const days = dailyRange(query, staleFrom, zoneOf);
  if (days === undefined) {
    const hourly = planRollupRead(query, staleFrom);
    return hourly === undefined ? undefined : { daily: [], hourly: [hourly.rollup], raw: hourly.raw };
  }
  const plan = { daily: [days], hourly: [] as Range[], raw: [] as Range[] };
  for (const rest of [
    { from: query.from, to: days.from },
    { from: days.to, to: query.to },
  ]) {
    if (rest.from >= rest.to) continue;
    const part = planRollupRead({ ...query, ...rest }, staleFrom);
    if (part === undefined) plan.raw.push(rest);
    else {
      plan.hourly.push(part.rollup);
      plan.raw.push(...part.raw);
    }
  }
  return plan;
}

function dailyRange(query: SeriesQuery, staleFrom: number, zoneOf: DayZoneOf): Range | undefined {
  if (query.everyMs % DAY_MS !== 0 || query.timeZone !== zoneOf(query.city)) return undefined;
  if (!wholeHourOffsets(query.timeZone, query.from, query.to)) return undefined;
  const first = localDayOf(query.from, query.timeZone);
  const end = Math.min(query.to, staleFrom);
  const last = end > query.from ? localDayOf(end, query.timeZone) : undefined;
  if (first === undefined || last === undefined) return undefined;
  const from = first.from === query.from ? first.from : first.to;
  return from < last.from ? { from, to: last.from } : undefined;
}

/** The zones of these cities (the city catalog), by city id. */
export function cityZones(cities: readonly { readonly id: string; readonly timeZone: string }[]): DayZoneOf {
  const zones = new Map(cities.map((c) => [c.id, c.timeZone]));
  return (city) => zones.get(city);
}
