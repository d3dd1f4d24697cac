import { zoneOffsetMs } from '../domain/local-time.ts';
import { type Aggregate, isPercentile, type SeriesQuery } from './time-series-store.ts';

/**
 * Hourly rollups, shared by both adapters: per (city, device, metric, UTC hour) the count, sum,
 * minimum and maximum of the readings — enough to give mean, min, max and count of any bucket made
 * of whole hours. The adapters recompute an hour's groups from the raw readings once the hour has
 * settled, and again when a late reading touches it (rollup-scheduler.ts), so a replaced value is
 * never counted twice; hours not rolled up yet are read from the raw readings.
 */
export const HOUR_MS = 3_600_000;

/** Aggregates of some readings, combinable with others. */
export interface Partial {
  readonly n: number;
  readonly total: number;
  readonly low: number;
  readonly high: number;
}

export interface RollupPlan {
  /** Whole hours read from the rollups. */
  readonly rollup: { readonly from: number; readonly to: number };
  /** Partial hours at the ends of the range, read from the raw readings (none when aligned). */
  readonly raw: readonly { readonly from: number; readonly to: number }[];
}

/** The longest range whose zone offsets are sampled for whole hours (a year, plus margin). */
const SAMPLE_STEP_MS = 14 * 24 * HOUR_MS;

/**
 * How a series query can be answered from rollups: buckets of whole hours, in a zone whose local
 * hours are UTC hours (every offset a whole number of hours over the range, as in Nice and
 * Zhengzhou; Kolkata's +05:30 is not), with at least one whole hour in the range. Otherwise
 * undefined: the raw readings answer.
 */
export function planRollupRead(query: SeriesQuery, staleFrom: number): RollupPlan | undefined {
  // Percentiles need every reading of the bucket: sums and extremes cannot give them.
  if (isPercentile(query.agg)) return undefined;
  if (query.everyMs % HOUR_MS !== 0) return undefined;
  const from = Math.ceil(query.from / HOUR_MS) * HOUR_MS;
  // Hours from staleFrom on (not rolled up yet: still open, settling, or touched since) are read raw.
  const to = Math.min(Math.floor(query.to / HOUR_MS) * HOUR_MS, Math.floor(staleFrom / HOUR_MS) * HOUR_MS);
  if (from >= to || !wholeHourOffsets(query.timeZone, query.from, query.to)) return undefined;
  const raw = [
    { from: query.from, to: from },
    { from: to, to: query.to },
  ].filter((r) => r.from < r.to);
  return { rollup: { from, to }, raw };
}

export function wholeHourOffsets(timeZone: string, from: number, to: number): boolean {
  // DST changes move whole-hour zones by whole hours; sampling catches zones that are not.
  for (let ts = from; ts < to + SAMPLE_STEP_MS; ts += SAMPLE_STEP_MS) {
    if (zoneOffsetMs(Math.min(ts, to), timeZone) % HOUR_MS !== 0) return false;
  }
  return true;
}

export function finishAggregate(partial: Partial, agg: Aggregate): number {
  switch (agg) {
    case 'mean':
      return partial.total / partial.n;
    case 'min':
      return partial.low;
    case 'max':
      return partial.high;
    case 'count':
      return partial.n;
    default:
      throw new Error(`${agg} cannot be computed from rollups`);
  }
}

export function combine(a: Partial, b: Partial): Partial {
  return {
    n: a.n + b.n,
    total: a.total + b.total,
    low: Math.min(a.low, b.low),
    high: Math.max(a.high, b.high),
  };
}

export interface HourKey {
  readonly city: string;
  readonly deviceId: string;
  readonly metric: string;
  readonly hour: number;
}
