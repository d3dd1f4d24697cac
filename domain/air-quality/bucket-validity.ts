import { dayCoverage } from './coverage.ts';
import { addDays, dateKeysBetween, localDateKey, startOfLocalDay } from './local-calendar.ts';
import type { ValidityRules } from './validity-rules.ts';

/**
 * Whether a series bucket rests on enough readings, by a standard's data-validity rules
 * (validity-rules.ts): a one-hour value needs 75 % of the hour (Directive 2008/50/EC Annex VII
 * A.2 and Annex XI; GB 3095-2012 Table 4: 45 minutes); several hours need 6 of every 8 hourly
 * values valid (the 8-hour rule of both); a local day needs 18 (EU) or 20 (China) valid hourly
 * values; longer buckets need the year rule's share of valid days (EU 90 %; China 324 of 365,
 * 27 a month, 25 in February). Widths the standards do not define (under an hour, or not whole
 * hours) are judged by the one-hour share of their expected readings, and say so.
 */
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Floating-point slack for shares such as 0.75 × 12 readings. */
const EPSILON = 1e-9;

export type BucketBasis = 'readings' | 'hours' | 'day' | 'days';

export interface BucketCriterion {
  /** What is counted: the bucket's readings, its valid hourly values, or its valid days. */
  readonly basis: BucketBasis;
  /** The rule in words, with the clause it applies or extends. */
  readonly text: string;
}

export interface BucketCount {
  /** Bucket (or hour) start, epoch ms. */
  readonly ts: number;
  /** Readings in it. */
  readonly count: number;
}

export interface BucketValidity {
  readonly count: number;
  /** Readings over the readings expected at the device's interval, at most 1. */
  readonly coverage: number;
  readonly valid: boolean;
  /** Hourly values meeting the one-hour rule (buckets judged by hours or days). */
  readonly validHours?: number;
  /** Days meeting the daily rule (buckets of several days). */
  readonly validDays?: number;
}

export interface BucketJudgement {
  readonly rules: ValidityRules;
  readonly everyMs: number;
  readonly timeZone: string;
  /** The device's reporting interval, ms. */
  readonly intervalMs: number;
}

const percent = (share: number) => `${Math.round(share * 1000) / 10} %`;

/** Valid hourly values a bucket of `hours` hours needs: the 8-hour rule's share (6 of 8). */
function hoursNeeded(rules: ValidityRules, hours: number): number {
  return Math.ceil((hours * rules.dailyMax8h.minHoursPerWindow) / 8 - EPSILON);
}

export function bucketBasis(everyMs: number): BucketBasis {
  if (everyMs % HOUR_MS !== 0 || everyMs === HOUR_MS) return 'readings';
  if (everyMs < DAY_MS) return 'hours';
  if (everyMs % DAY_MS !== 0) return 'hours';
  return everyMs === DAY_MS ? 'day' : 'days';
}

export function bucketCriterion(rules: ValidityRules, everyMs: number): BucketCriterion {
  const share = percent(rules.hourMinShare);
  const basis = bucketBasis(everyMs);
  const validHour = `an hourly value is valid with ≥ ${share} of its expected readings`;
  switch (basis) {
    case 'readings':
      return {
        basis,
        text:
          everyMs === HOUR_MS
            ? `one-hour value: ≥ ${share} of the hour's expected readings`
            : `≥ ${share} of the bucket's expected readings (the one-hour rule applied to this width, for which the standard sets none)`,
      };
    case 'hours': {
      const hours = everyMs / HOUR_MS;
      return {
        basis,
        text: `≥ ${hoursNeeded(rules, hours)} of ${hours} hourly values valid (the 8-hour rule's ${rules.dailyMax8h.minHoursPerWindow} of 8); ${validHour}`,
      };
    }
    case 'day':
      return {
        basis,
        text: `24-hour value: ≥ ${rules.dailyMinHours} valid hourly values in the local day; ${validHour}`,
      };
    case 'days':
      return {
        basis,
        text: `enough valid days by the standard's annual rule (${yearRuleText(rules)}), a day being valid with ≥ ${rules.dailyMinHours} valid hourly values; ${validHour}`,
      };
  }
}

function yearRuleText(rules: ValidityRules): string {
  const year = rules.yearCoverage;
  return year.kind === 'fraction'
    ? `${percent(year.minFraction)} of the days`
    : `${year.minDaysPerYear} of 365 days, ${year.minDaysPerMonth} in each whole month (${year.minDaysFebruary} in February)`;
}

/** End of the bucket starting at `start`: day widths are local calendar days (23 or 25 h on DST days). */
export function bucketEnd(start: number, everyMs: number, timeZone: string): number {
  if (everyMs % DAY_MS !== 0) return start + everyMs;
  return startOfLocalDay(addDays(localDateKey(start, timeZone), everyMs / DAY_MS), timeZone);
}

function share(count: number, durationMs: number, intervalMs: number): number {
  return Math.min(1, (count * intervalMs) / durationMs);
}

/**
 * Count, coverage and validity of each bucket. `hourly` (readings per local hour over the same
 * range, ascending) is needed when buckets are judged by hours or days; `buckets` ascending.
 */
export function judgeBuckets(
  judgement: BucketJudgement,
  buckets: readonly BucketCount[],
  hourly: readonly BucketCount[] = [],
): BucketValidity[] {
  const { rules, everyMs, timeZone, intervalMs } = judgement;
  const basis = bucketBasis(everyMs);
  const hourValid = (h: BucketCount) => share(h.count, HOUR_MS, intervalMs) >= rules.hourMinShare - EPSILON;
  let next = 0;
  // Objects built whole (no spreads): a month of hourly points for a city is ~100k of them.
  return buckets.map((bucket) => {
    const end = bucketEnd(bucket.ts, everyMs, timeZone);
    const exact = share(bucket.count, end - bucket.ts, intervalMs);
    const count = bucket.count;
    const coverage = Math.round(exact * 10_000) / 10_000;
    if (basis === 'readings') return { count, coverage, valid: exact >= rules.hourMinShare - EPSILON };
    while (next < hourly.length && (hourly[next] as BucketCount).ts < bucket.ts) next += 1;
    const validHourStarts: number[] = [];
    for (; next < hourly.length && (hourly[next] as BucketCount).ts < end; next += 1) {
      const hour = hourly[next] as BucketCount;
      if (hourValid(hour)) validHourStarts.push(hour.ts);
    }
    const validHours = validHourStarts.length;
    if (basis === 'hours') {
      const need = hoursNeeded(rules, Math.round((end - bucket.ts) / HOUR_MS));
      return { count, coverage, valid: validHours >= need, validHours };
    }
    if (basis === 'day') return { count, coverage, valid: validHours >= rules.dailyMinHours, validHours };
    const validDates = validDays(validHourStarts, rules.dailyMinHours, timeZone);
    const allDates = dateKeysBetween(localDateKey(bucket.ts, timeZone), localDateKey(end, timeZone));
    const valid = dayCoverage(rules, validDates, allDates).valid;
    return { count, coverage, valid, validHours, validDays: validDates.length };
  });
}

/** Local dates with at least `minHours` valid hourly values. */
function validDays(validHourStarts: readonly number[], minHours: number, timeZone: string): string[] {
  const perDay = new Map<string, number>();
  for (const ts of validHourStarts) {
    const key = localDateKey(ts, timeZone);
    perDay.set(key, (perDay.get(key) ?? 0) + 1);
  }
  return [...perDay].filter(([, n]) => n >= minHours).map(([key]) => key);
}
