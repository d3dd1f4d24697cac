import { describe, expect, it } from 'vitest';
import type { MetricId } from '../../domain/metrics.ts';
import type { Reading } from '../../domain/reading.ts';
import type { Aggregate, DeviceSeries } from '../../store/time-series-store.ts';
import {
  type ConformanceContext,
  points,
  scope,
  seriesBeforeAndAfterRollUp,
  t,
} from './store-conformance-support.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * Series of whole hours are answered from the adapters' hourly rollups. Whatever the writer does
 * — late readings for an old hour, a rewrite of a stored value, ranges that cut an hour — the
 * answers are those of the raw readings; local days on DST change days hold 23 and 25 hours.
 */
function r(city: string, deviceId: string, metric: MetricId, ts: number, value: number): Reading {
  return { city, deviceId, metric, ts, value };
}

export function describeRollupConformance(ctx: ConformanceContext): void {
  describe('series() from hourly rollups', () => {
    const series = (q: Parameters<typeof ctx.store.series>[0]): Promise<DeviceSeries[]> =>
      seriesBeforeAndAfterRollUp(ctx.store, q);
    const query = (city: string, agg: Aggregate, from: string, to: string, everyMs = HOUR) => ({
      city,
      metric: 'pm25' as const,
      from: t(from),
      to: t(to),
      everyMs,
      agg,
      timeZone: 'Europe/Paris',
    });

    it('counts a late reading for an old hour, and a rewritten value once', async () => {
      const s = scope('rollup-late');
      const a = s.dev('a');
      await ctx.store.writeReadings([
        r(s.city, a, 'pm25', t('2026-03-10T08:00:00Z'), 10),
        r(s.city, a, 'pm25', t('2026-03-10T08:30:00Z'), 20),
        r(s.city, a, 'pm25', t('2026-03-10T10:15:00Z'), 40),
      ]);
      const range = ['2026-03-10T08:00:00Z', '2026-03-10T11:00:00Z'] as const;
      expect(points(await series(query(s.city, 'mean', ...range)))).toEqual([
        [a, t('2026-03-10T08:00:00Z'), 15],
        [a, t('2026-03-10T10:00:00Z'), 40],
      ]);
      // Late: a reading for 08:45 arrives after 10:15; a redelivery rewrites 08:30 with a new value.
      await ctx.store.writeReadings([
        r(s.city, a, 'pm25', t('2026-03-10T08:45:00Z'), 60),
        r(s.city, a, 'pm25', t('2026-03-10T08:30:00Z'), 50),
      ]);
      const mean = points(await series(query(s.city, 'mean', ...range)));
      expect(mean.map(([, ts]) => ts)).toEqual([t('2026-03-10T08:00:00Z'), t('2026-03-10T10:00:00Z')]);
      expect(mean[0]?.[2]).toBeCloseTo((10 + 50 + 60) / 3, 9);
      expect(points(await series(query(s.city, 'count', ...range)))).toEqual([
        [a, t('2026-03-10T08:00:00Z'), 3],
        [a, t('2026-03-10T10:00:00Z'), 1],
      ]);
      expect(points(await series(query(s.city, 'max', ...range)))[0]?.[2]).toBe(60);
      expect(points(await series(query(s.city, 'min', ...range)))[0]?.[2]).toBe(10);
    });

    it('takes only the readings inside a range that cuts hours at both ends, hourly or wider', async () => {
      const s = scope('rollup-edges');
      const a = s.dev('a');
      await ctx.store.writeReadings(
        [0, 20, 40, 60, 80, 100, 120, 140, 160, 180].map((minute, i) =>
          r(s.city, a, 'pm25', t('2026-03-10T08:00:00Z') + minute * 60_000, i + 1),
        ),
      );
      // 08:30..10:50: 08:40 (3), 09:00..09:40 (4, 5, 6), 10:00..10:40 (7, 8, 9); 08:00, 08:20, 11:00 out.
      const cut = await series(
        query(s.city, 'count', '2026-03-10T08:30:00Z', '2026-03-10T10:50:00Z', 3 * HOUR),
      );
      const total = points(cut).reduce((sum, [, , n]) => sum + n, 0);
      expect(total).toBe(7);
      // Hourly: the whole 09:00 hour from its rollup, the cut ones from raw readings.
      const hourly = await series(query(s.city, 'count', '2026-03-10T08:30:00Z', '2026-03-10T10:50:00Z'));
      expect(points(hourly)).toEqual([
        [a, t('2026-03-10T08:00:00Z'), 1],
        [a, t('2026-03-10T09:00:00Z'), 3],
        [a, t('2026-03-10T10:00:00Z'), 3],
      ]);
      const sums = await series(query(s.city, 'mean', '2026-03-10T08:30:00Z', '2026-03-10T10:50:00Z', DAY));
      expect(points(sums)).toHaveLength(1);
      expect(points(sums)[0]?.[2]).toBeCloseTo((3 + 4 + 5 + 6 + 7 + 8 + 9) / 7, 9);
    });

    it.each([
      ['spring forward', '2026-03-29', '+01:00', 23],
      ['fall back', '2026-10-25', '+02:00', 25],
    ])('gives the %s day in Nice (%s) its hours of readings', async (_name, day, offset, hours) => {
      const s = scope(`rollup-dst-${day}`);
      const a = s.dev('a');
      // One reading at 10 past every UTC hour, from two days before the day to two days after.
      const start = t(`${day}T00:00:00Z`) - 2 * DAY;
      await ctx.store.writeReadings(
        Array.from({ length: 4 * 24 }, (_, h) => r(s.city, a, 'pm25', start + h * HOUR + 600_000, h)),
      );
      const days = points(
        await series({
          ...query(s.city, 'count', day, day, DAY),
          from: start,
          to: start + 4 * DAY,
        }),
      );
      const midnight = t(`${day}T00:00:00${offset}`);
      expect(days.find(([, ts]) => ts === midnight)?.[2]).toBe(hours);
      expect(days.reduce((sum, [, , n]) => sum + n, 0)).toBe(4 * 24);
    });
  });
}
