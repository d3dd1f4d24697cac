import { describe, expect, it } from 'vitest';
import type { Reading } from '../../domain/reading.ts';
import type { CityMeanSeries, SeriesQuery } from '../../store/time-series-store.ts';
import { type ConformanceContext, scope, t } from './store-conformance-support.ts';

const HOUR = 3_600_000;

/**
 * cityMeanSeries(): the city as a whole, per bucket the mean of each reporting device's own
 * aggregate (a device publishing every minute weighs as much as one publishing hourly), whether
 * the hours come from rollups or from raw readings, and after a late reading changes an old hour.
 */
export function describeCityMeanConformance(ctx: ConformanceContext): void {
  describe('cityMeanSeries()', () => {
    const pm25 = (city: string, deviceId: string, iso: string, value: number): Reading => ({
      city,
      deviceId,
      metric: 'pm25',
      ts: t(iso),
      value,
    });
    const query = (city: string, over: Partial<SeriesQuery> = {}): SeriesQuery => ({
      city,
      metric: 'pm25',
      from: t('2026-03-10T08:00:00Z'),
      to: t('2026-03-10T12:00:00Z'),
      everyMs: HOUR,
      agg: 'mean',
      timeZone: 'Europe/Paris',
      ...over,
    });
    const pointsOf = (mean: CityMeanSeries) => mean.points.map((p) => [p.ts, p.value]);

    it('weighs each device the same per hour, from raw readings and from rollups alike', async () => {
      const s = scope('city-mean');
      const [a, b, c] = [s.dev('a'), s.dev('b'), s.dev('c')];
      await ctx.store.writeReadings([
        // a: four readings in 08:00 (mean 10), one in 09:00; b: one in 08:00; c: only 10:00.
        pm25(s.city, a, '2026-03-10T08:00:00Z', 4),
        pm25(s.city, a, '2026-03-10T08:15:00Z', 8),
        pm25(s.city, a, '2026-03-10T08:30:00Z', 12),
        pm25(s.city, a, '2026-03-10T08:45:00Z', 16),
        pm25(s.city, a, '2026-03-10T09:10:00Z', 30),
        pm25(s.city, b, '2026-03-10T08:20:00Z', 30),
        pm25(s.city, c, '2026-03-10T10:40:00Z', 7),
        // Outside the range: neither its value nor its device counts.
        pm25(s.city, s.dev('late'), '2026-03-10T12:00:00Z', 999),
      ]);
      const expected = [
        [t('2026-03-10T08:00:00Z'), 20],
        [t('2026-03-10T09:00:00Z'), 30],
        [t('2026-03-10T10:00:00Z'), 7],
      ];
      const raw = await ctx.store.cityMeanSeries(query(s.city));
      expect(pointsOf(raw)).toEqual(expected);
      expect(raw.devices).toEqual([a, b, c]);
      await ctx.store.rollUp();
      const rolled = await ctx.store.cityMeanSeries(query(s.city));
      expect(pointsOf(rolled)).toEqual(expected);
      expect(rolled.devices).toEqual([a, b, c]);

      // A late reading for 08:00 from b: b's mean there becomes 40, the city's (10 + 40) / 2.
      await ctx.store.writeReadings([pm25(s.city, b, '2026-03-10T08:50:00Z', 50)]);
      await ctx.store.rollUp();
      expect(pointsOf(await ctx.store.cityMeanSeries(query(s.city)))[0]).toEqual([
        t('2026-03-10T08:00:00Z'),
        25,
      ]);

      // One device: its own hourly means; a day bucket: the mean of the devices' daily means.
      const one = await ctx.store.cityMeanSeries(query(s.city, { deviceId: a }));
      expect(pointsOf(one)).toEqual([
        [t('2026-03-10T08:00:00Z'), 10],
        [t('2026-03-10T09:00:00Z'), 30],
      ]);
      expect(one.devices).toEqual([a]);
      const day = await ctx.store.cityMeanSeries(
        query(s.city, { from: t('2026-03-09T23:00:00Z'), to: t('2026-03-10T23:00:00Z'), everyMs: 24 * HOUR }),
      );
      // a: (4+8+12+16+30)/5 = 14; b: (30+50)/2 = 40; c: 7; the 12:00 device: 999.
      expect(day.points).toHaveLength(1);
      expect(day.points[0]?.ts).toBe(t('2026-03-09T23:00:00Z'));
      expect(day.points[0]?.value).toBeCloseTo((14 + 40 + 7 + 999) / 4, 9);
    });

    it('equals the mean of the device series, hour by hour, in a zone whose hours are not UTC hours', async () => {
      const s = scope('city-mean-kolkata');
      const devices = [s.dev('a'), s.dev('b'), s.dev('c')];
      const readings: Reading[] = [];
      for (const [k, deviceId] of devices.entries())
        for (let m = 0; m < 6 * 60; m += 10 * (k + 1))
          readings.push(pm25(s.city, deviceId, '2026-03-10T06:00:00Z', 0));
      await ctx.store.writeReadings(
        readings.map((r, i) => ({ ...r, ts: r.ts + (i % 36) * 10 * 60_000, value: (i * 7) % 23 })),
      );
      await ctx.store.rollUp();
      const q = query(s.city, {
        from: t('2026-03-10T06:00:00Z'),
        to: t('2026-03-10T12:00:00Z'),
        timeZone: 'Asia/Kolkata',
      });
      const perDevice = await ctx.store.series(q);
      const mean = await ctx.store.cityMeanSeries(q);
      const hours = [...new Set(perDevice.flatMap((d) => d.points.map((p) => p.ts)))].sort((x, y) => x - y);
      expect(mean.points.map((p) => p.ts)).toEqual(hours);
      // Kolkata's hours start at :30 UTC.
      expect(hours[0]).toBe(t('2026-03-10T05:30:00Z'));
      for (const point of mean.points) {
        const values = perDevice.flatMap((d) =>
          d.points.filter((p) => p.ts === point.ts).map((p) => p.value),
        );
        expect(point.value).toBeCloseTo(values.reduce((x, y) => x + y, 0) / values.length, 9);
      }
      expect(mean.devices).toEqual(perDevice.map((d) => d.deviceId));
    });
  });
}
