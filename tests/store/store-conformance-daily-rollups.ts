import { describe, expect, it } from 'vitest';
import type { Reading } from '../../domain/reading.ts';
import { AGGREGATES, type Aggregate, type SeriesQuery } from '../../store/time-series-store.ts';
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
 * Series whose buckets are whole local days of the city's own zone read daily rollups for whole
 * settled days, hourly rollups and raw readings for the rest. The answers are those of the raw
 * readings, whatever the writer does (a late reading or a rewrite in an old day), on DST change
 * days, and for ranges that cut days in buckets of several days.
 */
function pm25(city: string, deviceId: string, ts: number, value: number): Reading {
  return { city, deviceId, metric: 'pm25', ts, value };
}

export function describeDailyRollupConformance(ctx: ConformanceContext): void {
  describe('series() of local days from daily rollups', () => {
    const series = (q: SeriesQuery) => seriesBeforeAndAfterRollUp(ctx.store, q);
    const days = (city: string, agg: Aggregate, from: number, to: number, everyMs = DAY): SeriesQuery => ({
      city,
      metric: 'pm25',
      from,
      to,
      everyMs,
      agg,
      timeZone: 'Europe/Paris',
    });

    it('fixes an old day when a late reading or a rewrite reaches one of its hours', async () => {
      const s = scope('daily-late');
      const [a, b] = [s.dev('a'), s.dev('b')];
      const start = t('2026-01-12T00:00:00+01:00');
      const written = [
        ...Array.from({ length: 36 }, (_, i) => pm25(s.city, a, start + i * 2 * HOUR, i)),
        ...Array.from({ length: 24 }, (_, i) => pm25(s.city, b, start + i * 3 * HOUR, 100 + i)),
      ];
      await ctx.store.writeReadings(written);
      const range = [start, start + 3 * DAY] as const;
      for (const agg of AGGREGATES) await series(days(s.city, agg, ...range));
      expect(points(await series(days(s.city, 'count', ...range)))).toEqual([
        [a, start, 12],
        [a, start + DAY, 12],
        [a, start + 2 * DAY, 12],
        [b, start, 8],
        [b, start + DAY, 8],
        [b, start + 2 * DAY, 8],
      ]);
      // Late, after the day was rolled up: a reading at 05:30 on the first day; a rewrite of 00:00.
      await ctx.store.writeReadings([pm25(s.city, a, start + 5.5 * HOUR, 1000), pm25(s.city, a, start, -5)]);
      const firstDay = async (agg: Aggregate) =>
        points(await series(days(s.city, agg, ...range))).find(([d, ts]) => d === a && ts === start)?.[2];
      expect(await firstDay('count')).toBe(13);
      expect(await firstDay('max')).toBe(1000);
      expect(await firstDay('min')).toBe(-5);
      const values = [-5, ...Array.from({ length: 11 }, (_, i) => i + 1), 1000];
      expect(await firstDay('mean')).toBeCloseTo(values.reduce((x, y) => x + y, 0) / values.length, 9);
    });

    it.each([
      ['spring forward', '2026-03-29', '+01:00', 23],
      ['fall back', '2026-10-25', '+02:00', 25],
    ])(
      'gives the %s day in Nice (%s) its hours, in day and two-day buckets',
      async (_n, day, offset, hours) => {
        const s = scope(`daily-dst-${day}`);
        const a = s.dev('a');
        const start = t(`${day}T00:00:00Z`) - 3 * DAY;
        await ctx.store.writeReadings(
          Array.from({ length: 6 * 24 }, (_, h) => pm25(s.city, a, start + h * HOUR + 600_000, h)),
        );
        const midnight = t(`${day}T00:00:00${offset}`);
        const daily = points(await series(days(s.city, 'count', start, start + 6 * DAY)));
        expect(daily.find(([, ts]) => ts === midnight)?.[2]).toBe(hours);
        expect(daily.reduce((sum, [, , n]) => sum + n, 0)).toBe(6 * 24);
        const twoDays = points(await series(days(s.city, 'count', start, start + 6 * DAY, 2 * DAY)));
        expect(twoDays.reduce((sum, [, , n]) => sum + n, 0)).toBe(6 * 24);
        for (const agg of AGGREGATES) await series(days(s.city, agg, start, start + 6 * DAY, 2 * DAY));
      },
    );

    it("keeps Zhengzhou's days on Shanghai midnights, and other zones' days right too", async () => {
      const s = scope('shanghai-days');
      const a = s.dev('a');
      const start = t('2026-03-10T00:00:00+08:00');
      await ctx.store.writeReadings(
        Array.from({ length: 3 * 24 * 4 }, (_, i) => pm25(s.city, a, start + i * 900_000, i % 50)),
      );
      const local = { ...days(s.city, 'count', start, start + 3 * DAY), timeZone: 'Asia/Shanghai' };
      expect(points(await series(local))).toEqual([
        [a, start, 96],
        [a, start + DAY, 96],
        [a, start + 2 * DAY, 96],
      ]);
      // Paris days of a Shanghai city: not its own days, read from hourly rollups; same answers.
      const paris = points(await series(days(s.city, 'count', start, start + 3 * DAY)));
      expect(paris.reduce((sum, [, , n]) => sum + n, 0)).toBe(3 * 96);
      expect(paris.map(([, ts]) => ts)).toContain(t('2026-03-10T00:00:00+01:00'));
    });

    it('adds the whole days to the cut days at both ends of a range of week buckets', async () => {
      const s = scope('daily-week');
      const a = s.dev('a');
      const start = t('2026-01-12T00:00:00+01:00'); // a Monday: week buckets start on Mondays
      const written = Array.from({ length: 10 * 72 }, (_, i) =>
        pm25(s.city, a, start + i * 20 * 60_000, (i * 7) % 37),
      );
      await ctx.store.writeReadings(written);
      const from = start + 10 * HOUR + 25 * 60_000;
      const to = start + 8 * DAY + 13 * HOUR + 10 * 60_000;
      const secondWeek = start + 7 * DAY;
      const inside = (lo: number, hi: number) =>
        written.filter((r) => r.ts >= Math.max(lo, from) && r.ts < Math.min(hi, to)).map((r) => r.value);
      const weeks = [inside(start, secondWeek), inside(secondWeek, secondWeek + 7 * DAY)];
      for (const agg of AGGREGATES) await series(days(s.city, agg, from, to, 7 * DAY));
      expect(points(await series(days(s.city, 'count', from, to, 7 * DAY)))).toEqual([
        [a, start, weeks[0]?.length],
        [a, secondWeek, weeks[1]?.length],
      ]);
      const max = points(await series(days(s.city, 'max', from, to, 7 * DAY)));
      expect(max.map(([, , v]) => v)).toEqual(weeks.map((w) => Math.max(...w)));
    });
  });
}
