import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '../../domain/reading.ts';
import {
  type DeviceSeries,
  ROLLUP_AGGREGATES,
  type SeriesQuery,
  type TimeSeriesStore,
} from '../../store/time-series-store.ts';
import type { OpenStore } from './store-conformance.ts';
import { expectSameSeries, points, scope, t } from './store-conformance-support.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const ANCIENT_BEFORE_FIRST_PASS = Date.parse('1972-06-01T12:00:00Z');

/**
 * Raw retention (RAW_RETENTION_DAYS): raw readings past it are deleted once rolled up, and series
 * of whole hours and whole local days over that range still answer from the rollups, the same as
 * before the raw readings went. A reading written into such a range later (an import of the past)
 * is added to its hour and day.
 */
export function describeRetentionConformance(open: OpenStore): void {
  describe('raw retention', () => {
    let opened: Awaited<ReturnType<OpenStore>> | undefined;
    const store = (): TimeSeriesStore => {
      if (opened === undefined) throw new Error('store not opened');
      return opened.store;
    };
    beforeAll(async () => {
      opened = await open({ rawRetentionDays: 30 });
    });
    afterAll(async () => {
      await opened?.cleanup();
    });

    const s = scope('retention');
    const [a, b] = [s.dev('a'), s.dev('b')];
    // More than 30 days before any clock this test runs on.
    const start = t('2025-01-13T00:00:00+01:00');
    const range = { from: start, to: start + 3 * DAY };
    const query = (agg: SeriesQuery['agg'], everyMs: number): SeriesQuery => ({
      city: s.city,
      metric: 'pm25',
      ...range,
      everyMs,
      agg,
      timeZone: 'Europe/Paris',
    });
    const pm25 = (deviceId: string, ts: number, value: number): Reading => ({
      city: s.city,
      deviceId,
      metric: 'pm25',
      ts,
      value,
    });
    const raw = () => store().readings({ city: s.city, ...range, offset: 0, limit: 100 });

    it('deletes old raw readings, and hourly and daily series still answer the same', async () => {
      await store().writeReadings([
        ...Array.from({ length: 3 * 24 * 6 }, (_, i) => pm25(a, start + i * 600_000, (i * 13) % 41)),
        ...Array.from({ length: 3 * 24 }, (_, i) => pm25(b, start + i * HOUR + 1_000, i)),
        pm25(a, ANCIENT_BEFORE_FIRST_PASS, 3),
      ]);
      const before = new Map<string, DeviceSeries[]>();
      const cityBefore = await store().cityMeanSeries(query('mean', HOUR));
      for (const agg of ROLLUP_AGGREGATES) {
        for (const every of [HOUR, DAY])
          before.set(`${agg}/${every}`, await store().series(query(agg, every)));
      }
      expect((await raw()).length).toBe(100);
      await store().rollUp();
      expect(await raw()).toEqual([]);
      for (const agg of ROLLUP_AGGREGATES) {
        for (const every of [HOUR, DAY]) {
          expectSameSeries(await store().series(query(agg, every)), before.get(`${agg}/${every}`) ?? []);
        }
      }
      const cityAfter = await store().cityMeanSeries(query('mean', HOUR));
      expect(cityAfter.devices).toEqual([a, b]);
      expectSameSeries(
        [{ deviceId: 'city', points: cityAfter.points }],
        [{ deviceId: 'city', points: cityBefore.points }],
      );
      expect(points(await store().series(query('count', DAY)))).toEqual([
        [a, start, 144],
        [a, start + DAY, 144],
        [a, start + 2 * DAY, 144],
        [b, start, 24],
        [b, start + DAY, 24],
        [b, start + 2 * DAY, 24],
      ]);
    });

    it('adds a reading written into the deleted range later to its hour and its day', async () => {
      await store().writeReadings([pm25(b, start + DAY + 30 * 60_000, 500)]);
      await store().rollUp();
      expect(await raw()).toEqual([]);
      const day = points(await store().series(query('count', DAY)));
      expect(day.find(([d, ts]) => d === b && ts === start + DAY)?.[2]).toBe(25);
      const hourMax = points(await store().series({ ...query('max', HOUR), deviceId: b }));
      expect(hourMax.find(([, ts]) => ts === start + DAY)?.[2]).toBe(500);
      const hourCount = points(await store().series({ ...query('count', HOUR), deviceId: b }));
      expect(hourCount.find(([, ts]) => ts === start + DAY)?.[2]).toBe(2);
      // The city's hour: a's mean there and b's new one ((i + 500) / 2), each weighing the same.
      const hourMean = async (deviceId: string) =>
        points(
          await store().series({
            ...query('mean', HOUR),
            deviceId,
            from: start + DAY,
            to: start + DAY + HOUR,
          }),
        )[0];
      const [aHour, bHour] = [await hourMean(a), await hourMean(b)];
      const city = await store().cityMeanSeries({
        ...query('mean', HOUR),
        from: start + DAY,
        to: start + DAY + HOUR,
      });
      expect(bHour?.[2]).toBe((24 + 500) / 2);
      expect(city.points[0]?.value).toBeCloseTo(
        ((aHour?.[2] ?? Number.NaN) + (bHour?.[2] ?? Number.NaN)) / 2,
        9,
      );
    });

    it('rolls up and deletes readings dated decades back without walking every day since', async () => {
      // A dead clock or a bad import row: one reading in 1971, decades before everything else,
      // written after the first pass; another in 1972 was written before it (first test).
      const ancient = t('1971-03-01T12:00:00Z');
      await store().writeReadings([pm25(a, ancient, 7)]);
      await store().rollUp();
      for (const [at, value] of [
        [ancient, 7],
        [ANCIENT_BEFORE_FIRST_PASS, 3],
      ] as const) {
        const day = { from: at - 13 * HOUR, to: at + 11 * HOUR }; // the local day (+01:00, no DST then)
        expect(await store().readings({ city: s.city, ...day, offset: 0, limit: 10 })).toEqual([]);
        expect(points(await store().series({ ...query('count', DAY), ...day }))).toEqual([[a, day.from, 1]]);
        expect(points(await store().series({ ...query('max', HOUR), ...day }))).toEqual([[a, at, value]]);
      }
    });
  });
}
