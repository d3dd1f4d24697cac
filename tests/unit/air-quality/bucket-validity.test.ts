import { describe, expect, it } from 'vitest';
import {
  type BucketCount,
  bucketCriterion,
  bucketEnd,
  judgeBuckets,
} from '../../../domain/air-quality/bucket-validity.ts';
import { CHINA_VALIDITY, EU_VALIDITY } from '../../../domain/air-quality/validity-rules.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const FIVE_MINUTES = 5 * MINUTE;
const t = (iso: string) => Date.parse(iso);

/** Hourly counts from `start`: `perHour[i]` readings in hour i. */
function hours(start: number, perHour: readonly number[]): BucketCount[] {
  return perHour.map((count, i) => ({ ts: start + i * HOUR, count }));
}

const total = (counts: readonly BucketCount[]) => counts.reduce((n, c) => n + c.count, 0);

describe('judgeBuckets', () => {
  const utc = { everyMs: HOUR, timeZone: 'UTC', intervalMs: FIVE_MINUTES };

  it('judges one-hour values by 75 % of the expected readings (45 minutes)', () => {
    const start = t('2026-03-10T00:00:00Z');
    const judged = judgeBuckets({ ...utc, rules: EU_VALIDITY }, hours(start, [12, 9, 8, 20]));
    expect(judged).toEqual([
      { count: 12, coverage: 1, valid: true },
      { count: 9, coverage: 0.75, valid: true },
      { count: 8, coverage: 0.6667, valid: false },
      // More readings than expected: coverage is capped at 1.
      { count: 20, coverage: 1, valid: true },
    ]);
  });

  it('applies the one-hour share to widths the standards do not define, and says so', () => {
    const start = t('2026-03-10T00:00:00Z');
    const judged = judgeBuckets(
      { ...utc, everyMs: 15 * MINUTE, rules: EU_VALIDITY },
      [3, 2].map((count, i) => ({ ts: start + i * 15 * MINUTE, count })),
    );
    expect(judged.map((j) => j.valid)).toEqual([true, false]);
    expect(bucketCriterion(EU_VALIDITY, 15 * MINUTE).text).toMatch(/standard sets none/);
  });

  it('needs 6 of every 8 hourly values for buckets of several hours', () => {
    const start = t('2026-03-10T00:00:00Z');
    const perHour = [12, 12, 12, 12, 12, 9, 8, 0, 12, 12, 12, 12, 12, 12, 2, 2];
    const hourly = hours(start, perHour);
    const buckets = [0, 8].map((h) => ({
      ts: start + h * HOUR,
      count: total(hourly.slice(h, h + 8)),
    }));
    const judged = judgeBuckets({ ...utc, everyMs: 8 * HOUR, rules: CHINA_VALIDITY }, buckets, hourly);
    expect(judged.map((j) => [j.validHours, j.valid])).toEqual([
      [6, true],
      [6, true],
    ]);
    const fewer = hours(start, [12, 12, 12, 12, 12, 8, 8, 0]);
    const [short] = judgeBuckets(
      { ...utc, everyMs: 8 * HOUR, rules: CHINA_VALIDITY },
      [{ ts: start, count: total(fewer) }],
      fewer,
    );
    expect([short?.validHours, short?.valid]).toEqual([5, false]);
  });

  it('needs 18 valid hours in a local day by the EU rule and 20 by the Chinese one', () => {
    // A Nice day in winter: local midnight is 23:00 UTC the day before.
    const start = t('2026-11-27T23:00:00Z');
    const judgement = { everyMs: DAY, timeZone: 'Europe/Paris', intervalMs: FIVE_MINUTES };
    for (const [valid, eu, china] of [
      [18, true, false],
      [19, true, false],
      [20, true, true],
    ] as const) {
      const hourly = hours(
        start,
        Array.from({ length: 24 }, (_, i) => (i < valid ? 12 : 8)),
      );
      const day = [{ ts: start, count: total(hourly) }];
      const [byEu] = judgeBuckets({ ...judgement, rules: EU_VALIDITY }, day, hourly);
      const [byChina] = judgeBuckets({ ...judgement, rules: CHINA_VALIDITY }, day, hourly);
      expect([byEu?.validHours, byEu?.valid, byChina?.valid]).toEqual([valid, eu, china]);
    }
  });

  it('measures coverage of a 25-hour DST day against 25 hours of readings', () => {
    const start = t('2026-10-24T22:00:00Z'); // 25 Oct 2026 00:00 CEST; clocks go back at 03:00
    expect(bucketEnd(start, DAY, 'Europe/Paris') - start).toBe(25 * HOUR);
    const hourly = hours(
      start,
      Array.from({ length: 25 }, () => 12),
    );
    const [day] = judgeBuckets(
      { everyMs: DAY, timeZone: 'Europe/Paris', intervalMs: FIVE_MINUTES, rules: EU_VALIDITY },
      [{ ts: start, count: 288 }],
      hourly,
    );
    expect(day).toEqual({ count: 288, coverage: 0.96, valid: true, validHours: 25 });
  });

  it("judges buckets of several days by the year rule's share of valid days", () => {
    const start = t('2026-03-01T00:00:00Z');
    const tenDays = (validDays: number) =>
      hours(
        start,
        Array.from({ length: 240 }, (_, i) => (Math.floor(i / 24) < validDays ? 12 : 0)),
      ).filter((h) => h.count > 0);
    for (const [validDays, valid] of [
      [9, true], // EU: 90 % of 10 days
      [8, false],
    ] as const) {
      const hourly = tenDays(validDays);
      const [bucket] = judgeBuckets(
        { everyMs: 10 * DAY, timeZone: 'UTC', intervalMs: FIVE_MINUTES, rules: EU_VALIDITY },
        [{ ts: start, count: total(hourly) }],
        hourly,
      );
      expect([bucket?.validDays, bucket?.valid]).toEqual([validDays, valid]);
    }
  });
});
