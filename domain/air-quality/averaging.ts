import { UcapError } from '../errors.ts';
import {
  addDays,
  dateKeysBetween,
  HOUR_MS,
  hoursOfLocalDay,
  localDateKey,
  startOfLocalDay,
} from './local-calendar.ts';

/**
 * Data read around the requested range: the longest trailing average any standard takes is 24
 * hours (PM and SO2 running means), and the US EPA daily ozone maximum takes 8-hour windows that
 * begin as late as 23:00, so they end up to 7 hours into the next day.
 */
export const AVERAGING_MARGIN_MS = 24 * HOUR_MS;

/**
 * Means over hourly series on a local calendar. Input: hourly means, `ts` = start of the hour
 * (epoch ms UTC, as the store's series buckets), in any order, missing hours simply absent.
 * Every result says how many hours it rests on and whether that makes it valid; invalid results
 * still carry the mean of what there was, so a caller can show it greyed out.
 */
export interface HourlyValue {
  readonly ts: number;
  readonly value: number;
}

/** A mean over one local calendar day. */
export interface DailyValue {
  /** Local date, YYYY-MM-DD. */
  readonly date: string;
  /** First instant of the day and of the next day (epoch ms): 23, 24 or 25 hours apart. */
  readonly start: number;
  readonly end: number;
  readonly hoursInDay: number;
  readonly count: number;
  readonly value: number | undefined;
  readonly valid: boolean;
}

/** A mean over the `hours` hours ending with the hour starting at `ts`. */
export interface RunningValue {
  readonly ts: number;
  readonly count: number;
  readonly value: number | undefined;
  readonly valid: boolean;
}

export interface DayRange {
  /** First local day, YYYY-MM-DD (inclusive); defaults to the day of the first value. */
  readonly from?: string;
  /** Local day after the last one (exclusive); defaults to the day after the last value. */
  readonly to?: string;
}

/** Hour start → value; rejects duplicate hours and values that are not concentrations. */
export function indexHourly(series: readonly HourlyValue[]): Map<number, number> {
  const byTs = new Map<number, number>();
  for (const { ts, value } of series) {
    if (!Number.isFinite(ts)) throw new UcapError('AQ_INVALID_INPUT', `hour timestamp ${ts} is not a number`);
    if (!Number.isFinite(value) || value < 0) {
      throw new UcapError(
        'AQ_INVALID_INPUT',
        `value ${value} at ${new Date(ts).toISOString()} is not a concentration`,
      );
    }
    if (byTs.has(ts))
      throw new UcapError('AQ_INVALID_INPUT', `two values for the hour ${new Date(ts).toISOString()}`);
    byTs.set(ts, value);
  }
  return byTs;
}

/** Mean and count of the values present at the given hour starts. */
export function meanAt(
  byTs: ReadonlyMap<number, number>,
  hours: Iterable<number>,
): { count: number; value: number | undefined } {
  let sum = 0;
  let count = 0;
  for (const ts of hours) {
    const v = byTs.get(ts);
    if (v === undefined) continue;
    sum += v;
    count++;
  }
  return { count, value: count === 0 ? undefined : sum / count };
}

/** The local days a range covers, defaulting to the days the data spans. */
export function resolveDays(
  byTs: ReadonlyMap<number, number>,
  timeZone: string,
  range: DayRange = {},
): string[] {
  if (range.from !== undefined && range.to !== undefined) return dateKeysBetween(range.from, range.to);
  if (byTs.size === 0) return [];
  const keys = [...byTs.keys()];
  const from = range.from ?? localDateKey(Math.min(...keys), timeZone);
  const to = range.to ?? addDays(localDateKey(Math.max(...keys), timeZone), 1);
  return dateKeysBetween(from, to);
}

/** 24-hour means per local calendar day; valid when at least `minHours` hourly values exist. */
export function dailyMeans(
  series: readonly HourlyValue[],
  options: DayRange & { readonly timeZone: string; readonly minHours: number },
): DailyValue[] {
  const byTs = indexHourly(series);
  return resolveDays(byTs, options.timeZone, options).map((date) => {
    const hours = hoursOfLocalDay(date, options.timeZone);
    const { count, value } = meanAt(byTs, hours);
    return {
      date,
      start: hours[0] ?? startOfLocalDay(date, options.timeZone),
      end: startOfLocalDay(addDays(date, 1), options.timeZone),
      hoursInDay: hours.length,
      count,
      value,
      valid: count >= options.minHours,
    };
  });
}

/**
 * Running means of `hours` consecutive hours, one per hour from the first to the last hour of the
 * series (or of [from, to) when given); valid with at least `minHours` values in the window.
 */
export function runningMeans(
  series: readonly HourlyValue[],
  options: {
    readonly hours: number;
    readonly minHours: number;
    readonly from?: number;
    readonly to?: number;
  },
): RunningValue[] {
  const byTs = indexHourly(series);
  if (byTs.size === 0 && (options.from === undefined || options.to === undefined)) return [];
  const keys = [...byTs.keys()];
  const first = options.from ?? Math.min(...keys);
  const end = options.to ?? Math.max(...keys) + HOUR_MS;
  const result: RunningValue[] = [];
  for (let ts = first; ts < end; ts += HOUR_MS) {
    const window = Array.from({ length: options.hours }, (_, k) => ts - k * HOUR_MS);
    const { count, value } = meanAt(byTs, window);
    result.push({ ts, count, value, valid: count >= options.minHours });
  }
  return result;
}

export interface PeriodMean {
  readonly count: number;
  readonly expected: number;
  readonly value: number | undefined;
}

/** Mean of the hourly values whose hour starts in [from, to), with the hours it could have had. */
export function periodMean(series: readonly HourlyValue[], from: number, to: number): PeriodMean {
  const byTs = indexHourly(series);
  let sum = 0;
  let count = 0;
  for (const [ts, v] of byTs) {
    if (ts < from || ts >= to) continue;
    sum += v;
    count++;
  }
  return { count, expected: Math.round((to - from) / HOUR_MS), value: count === 0 ? undefined : sum / count };
}
