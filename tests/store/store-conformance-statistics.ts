import { describe, expect, it } from 'vitest';
import type { MetricId } from '../../domain/metrics.ts';
import type { Reading } from '../../domain/reading.ts';
import type { PercentileAggregate, SeriesQuery } from '../../store/time-series-store.ts';
import { type ConformanceContext, scope, t } from './store-conformance-support.ts';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

function r(city: string, deviceId: string, metric: MetricId, ts: number, value: number): Reading {
  return { city, deviceId, metric, ts, value };
}

/** The documented definition (InfluxDB 1.x PERCENTILE): rank ⌊n·p/100 + 0.5⌋ of the sorted values. */
function nearestRank(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length * p) / 100 + 0.5) - 1] ?? Number.NaN;
}

export function describeStatisticsConformance(ctx: ConformanceContext): void {
  describe('series() percentiles', () => {
    describePercentiles(ctx);
    describeDstDay(ctx);
  });
  describe('readingSpacing()', () => describeSpacing(ctx));
}

function describePercentiles(ctx: ConformanceContext): void {
  const s = scope('percentiles');
  const a = s.dev('a');
  const hour = (h: number) => t('2026-03-10T00:00:00Z') + h * HOUR;
  // Per hour: readings (out of order) chosen so that nearest rank differs from ⌈n·p⌉ and from
  // interpolation: n = 7 gives rank 6 for p90 where ⌈6.3⌉ would be 7.
  const hours: ReadonlyArray<readonly [h: number, values: readonly number[]]> = [
    [10, [5, 1, 7, 3, 2, 6, 4]],
    [11, [9]],
    [12, [10, 40, 20, 30]],
    [13, Array.from({ length: 20 }, (_, i) => 20 - i)],
  ];
  let written: Promise<void> | undefined;
  const seed = () => {
    written ??= (async () => {
      await ctx.store.writeReadings(
        hours.flatMap(([h, values]) =>
          values.map((value, i) => r(s.city, a, 'pm25', hour(h) + i * MINUTE, value)),
        ),
      );
      // Whole hours rolled up: percentiles must still read the raw readings.
      await ctx.store.rollUp();
    })();
    return written;
  };
  const query = (agg: PercentileAggregate, everyMs: number): SeriesQuery => ({
    city: s.city,
    metric: 'pm25',
    from: t('2026-03-10T00:00:00Z'),
    to: t('2026-03-11T00:00:00Z'),
    everyMs,
    agg,
    timeZone: 'UTC',
  });

  it.each([
    ['p50', [4, 9, 20, 10]],
    ['p90', [6, 9, 40, 18]],
    ['p95', [7, 9, 40, 19]],
    ['p98', [7, 9, 40, 20]],
  ] as const)('%s per hour is the nearest-rank value, one of the readings', async (agg, expected) => {
    await seed();
    const [series] = await ctx.store.series(query(agg, HOUR));
    expect(series?.points).toEqual(hours.map(([h], i) => ({ ts: hour(h), value: expected[i] })));
  });

  it('gives each point its count when asked, from raw readings and from rollups alike', async () => {
    await seed();
    const counts = hours.map(([, values]) => values.length);
    const p95 = await ctx.store.series({ ...query('p95', HOUR), withCount: true });
    expect(p95[0]?.points.map((p) => p.count)).toEqual(counts);
    // Whole hours in UTC: read from rollups.
    const mean = await ctx.store.series({ ...query('p95', DAY), agg: 'mean', withCount: true });
    expect(mean[0]?.points.map((p) => p.count)).toEqual([32]);
    // A range cutting the first hour: its part is read raw.
    const cut = await ctx.store.series({
      ...query('p95', HOUR),
      agg: 'max',
      from: hour(10) + 3 * MINUTE,
      withCount: true,
    });
    // 10:03 on: 3, 2, 6, 4.
    expect(cut[0]?.points.map((p) => [p.value, p.count])).toEqual([
      [6, 4],
      [9, 1],
      [40, 4],
      [20, 20],
    ]);
    // Without asking, no count.
    expect((await ctx.store.series(query('p50', HOUR)))[0]?.points[0]).not.toHaveProperty('count');
  });

  it.each(['p50', 'p90', 'p95', 'p98'] as const)('%s over a day ranks all its readings', async (agg) => {
    await seed();
    const all = hours.flatMap(([, values]) => values);
    const [series] = await ctx.store.series(query(agg, DAY));
    expect(series?.points).toEqual([
      { ts: t('2026-03-10T00:00:00Z'), value: nearestRank(all, Number(agg.slice(1))) },
    ]);
  });
}

function describeDstDay(ctx: ConformanceContext): void {
  const s = scope('percentiles-dst');
  const a = s.dev('a');
  it('ranks the readings of a 23-hour local day (Paris, 29 March 2026) as one bucket', async () => {
    await ctx.store.writeReadings([
      r(s.city, a, 'pm25', t('2026-03-28T22:59:00Z'), 1000), // 23:59 CET on the 28th
      r(s.city, a, 'pm25', t('2026-03-28T23:00:00Z'), 30), // 00:00 CET on the 29th
      r(s.city, a, 'pm25', t('2026-03-29T12:00:00Z'), 10),
      r(s.city, a, 'pm25', t('2026-03-29T21:59:00Z'), 20), // 23:59 CEST
      r(s.city, a, 'pm25', t('2026-03-29T22:00:00Z'), 2000), // 00:00 CEST on the 30th
    ]);
    const query = {
      city: s.city,
      metric: 'pm25' as const,
      from: t('2026-03-28T23:00:00Z'),
      to: t('2026-03-29T22:00:00Z'),
      everyMs: DAY,
      timeZone: 'Europe/Paris',
      withCount: true,
    };
    const [p50] = await ctx.store.series({ ...query, agg: 'p50' });
    const [p98] = await ctx.store.series({ ...query, agg: 'p98' });
    expect(p50?.points).toEqual([{ ts: t('2026-03-28T23:00:00Z'), value: 20, count: 3 }]);
    expect(p98?.points).toEqual([{ ts: t('2026-03-28T23:00:00Z'), value: 30, count: 3 }]);
  });
}

function describeSpacing(ctx: ConformanceContext): void {
  const s = scope('spacing');
  const [a, b, c] = [s.dev('a'), s.dev('b'), s.dev('c')];
  const at = (minutes: number) => t('2026-03-10T14:00:00Z') + minutes * MINUTE;
  let written: Promise<void> | undefined;
  const seed = () => {
    written ??= ctx.store.writeReadings([
      // Every 5 minutes with one 15-minute gap: the median ignores the gap.
      ...[0, 5, 10, 15, 30, 35].map((m) => r(s.city, a, 'pm25', at(m), m)),
      r(s.city, a, 'pm10', at(1), 1), // another metric
      r(s.city, a, 'pm10', at(2), 1),
      // Two gaps (1 and 2 minutes): the median is their mean.
      ...[0, 1, 3].map((m) => r(s.city, b, 'pm25', at(m), m)),
      r(s.city, c, 'pm25', at(0), 1), // one reading: no spacing
      r(s.city, a, 'pm25', at(120), 1), // after `to`
    ]);
    return written;
  };
  const range = { city: s.city, metric: 'pm25' as const, from: at(0), to: at(60) };

  it('gives the median gap per device, leaving out devices with fewer than two readings', async () => {
    await seed();
    expect(await ctx.store.readingSpacing(range)).toEqual([
      { deviceId: a, medianMs: 5 * MINUTE },
      { deviceId: b, medianMs: 1.5 * MINUTE },
    ]);
  });

  it('keeps to one device and to [from, to)', async () => {
    await seed();
    expect(await ctx.store.readingSpacing({ ...range, deviceId: b })).toEqual([
      { deviceId: b, medianMs: 1.5 * MINUTE },
    ]);
    expect(await ctx.store.readingSpacing({ ...range, from: at(10), to: at(31) })).toEqual([
      { deviceId: a, medianMs: 10 * MINUTE },
    ]);
    expect(await ctx.store.readingSpacing({ ...range, deviceId: c })).toEqual([]);
  });
}
