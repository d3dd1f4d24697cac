import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUcapError } from '../../domain/errors.ts';
import type { MetricId } from '../../domain/metrics.ts';
import type { Reading } from '../../domain/reading.ts';
import type { DeviceSeries, SeriesQuery, TimeSeriesStore } from '../../store/time-series-store.ts';
import { describeCityMeanConformance } from './store-conformance-city-mean.ts';
import { describeDailyRollupConformance } from './store-conformance-daily-rollups.ts';
import { describeReadingsConformance } from './store-conformance-readings.ts';
import { describeRejectionsConformance } from './store-conformance-rejections.ts';
import { describeRetentionConformance } from './store-conformance-retention.ts';
import { describeRollupConformance } from './store-conformance-rollups.ts';
import { describeSeriesConformance } from './store-conformance-series.ts';
import { describeStatisticsConformance } from './store-conformance-statistics.ts';
import { type ConformanceContext, scope, t } from './store-conformance-support.ts';
import { describeTimeSourceConformance } from './store-conformance-time-source.ts';

/** How a test store is opened; options ask for a store of the test's own with that setting. */
export interface OpenOptions {
  /** Raw readings older than this many days are deleted (once rolled up) by rollUp(). */
  readonly rawRetentionDays?: number;
}

export type OpenStore = (
  options?: OpenOptions,
) => Promise<{ store: TimeSeriesStore; cleanup: () => Promise<void> }>;

/**
 * The behaviour every TimeSeriesStore adapter must show, run by each adapter's integration test:
 * same data in, same answers out. One store is opened for the whole suite; each test writes under
 * its own city and device ids, so tests do not see each other's data and can run in any order.
 * `open` may be called more than once (the close test opens its own store); `cleanup` must
 * tolerate a store that was already closed.
 */
export function describeStoreConformance(name: string, open: OpenStore): void {
  describe(`TimeSeriesStore conformance: ${name}`, () => {
    const ctx: ConformanceContext = {
      get store() {
        if (!opened) throw new Error('store not opened');
        return opened.store;
      },
    };
    let opened: Awaited<ReturnType<OpenStore>> | undefined;
    beforeAll(async () => {
      opened = await open();
    });
    afterAll(async () => {
      await opened?.cleanup();
    });

    describeLatest(ctx);
    describeTimeSourceConformance(ctx);
    describeSeriesConformance(ctx);
    describeStatisticsConformance(ctx);
    describeRollupConformance(ctx);
    describeDailyRollupConformance(ctx);
    describeCityMeanConformance(ctx);
    describeRetentionConformance(open);
    describeReadingsConformance(ctx);
    describeSensors(ctx);
    describeRejectionsConformance(ctx);
    describeBulkAndLifecycle(ctx, open);
  });
}

function reading(city: string, deviceId: string, metric: MetricId, iso: string, value: number): Reading {
  return { city, deviceId, metric, ts: t(iso), value };
}

function describeLatest(ctx: ConformanceContext): void {
  describe('latest()', () => {
    it('returns the newest value per device and metric, sorted by device then metric', async () => {
      const s = scope('latest-basic');
      // Written newest-first and out of order: "latest" is by timestamp, not by arrival.
      await ctx.store.writeReadings([
        reading(s.city, s.dev('b'), 'pm25', '2026-03-10T10:05:00Z', 12.5),
        reading(s.city, s.dev('b'), 'pm25', '2026-03-10T10:00:00Z', 99),
        reading(s.city, s.dev('a'), 'temperature', '2026-03-10T09:00:00Z', 14.25),
        reading(s.city, s.dev('a'), 'temperature', '2026-03-10T10:00:00Z', 15.5),
        reading(s.city, s.dev('a'), 'no2', '2026-03-10T08:00:00Z', 41),
      ]);
      expect(await ctx.store.latest({ city: s.city })).toEqual([
        { city: s.city, deviceId: s.dev('a'), metric: 'no2', ts: t('2026-03-10T08:00:00Z'), value: 41 },
        {
          city: s.city,
          deviceId: s.dev('a'),
          metric: 'temperature',
          ts: t('2026-03-10T10:00:00Z'),
          value: 15.5,
        },
        { city: s.city, deviceId: s.dev('b'), metric: 'pm25', ts: t('2026-03-10T10:05:00Z'), value: 12.5 },
      ]);
    });

    it('filters by metric and by device', async () => {
      const s = scope('latest-filter');
      await ctx.store.writeReadings([
        reading(s.city, s.dev('a'), 'pm25', '2026-03-11T10:00:00Z', 10),
        reading(s.city, s.dev('a'), 'pm10', '2026-03-11T10:00:00Z', 20),
        reading(s.city, s.dev('b'), 'pm25', '2026-03-11T11:00:00Z', 30),
      ]);
      const byMetric = await ctx.store.latest({ city: s.city, metric: 'pm25' });
      expect(byMetric.map((v) => [v.deviceId, v.metric, v.value])).toEqual([
        [s.dev('a'), 'pm25', 10],
        [s.dev('b'), 'pm25', 30],
      ]);
      const byDevice = await ctx.store.latest({ city: s.city, deviceId: s.dev('a') });
      expect(byDevice.map((v) => [v.deviceId, v.metric, v.value])).toEqual([
        [s.dev('a'), 'pm10', 20],
        [s.dev('a'), 'pm25', 10],
      ]);
      const both = await ctx.store.latest({ city: s.city, deviceId: s.dev('b'), metric: 'pm10' });
      expect(both).toEqual([]);
    });

    it('keeps cities apart, even for the same device id', async () => {
      const s = scope('latest-cities');
      const other = `${s.city}-x`;
      await ctx.store.writeReadings([
        reading(s.city, s.dev('a'), 'pm25', '2026-03-12T10:00:00Z', 1),
        reading(other, s.dev('a'), 'pm25', '2026-03-12T11:00:00Z', 2),
      ]);
      expect((await ctx.store.latest({ city: s.city })).map((v) => [v.city, v.value])).toEqual([[s.city, 1]]);
      expect((await ctx.store.latest({ city: other })).map((v) => [v.city, v.value])).toEqual([[other, 2]]);
      expect(await ctx.store.latest({ city: `${s.city}-none` })).toEqual([]);
    });

    it('replaces the value when the same (city, device, metric, ts) is written again (QoS 1 redelivery)', async () => {
      const s = scope('latest-idem');
      const ts = '2026-03-13T10:00:00Z';
      await ctx.store.writeReadings([reading(s.city, s.dev('a'), 'pm25', ts, 10)]);
      await ctx.store.writeReadings([reading(s.city, s.dev('a'), 'pm25', ts, 11)]);
      // The same key twice in one batch: the later one wins.
      await ctx.store.writeReadings([
        reading(s.city, s.dev('b'), 'pm25', ts, 20),
        reading(s.city, s.dev('b'), 'pm25', ts, 21),
      ]);
      const latest = await ctx.store.latest({ city: s.city });
      expect(latest.map((v) => [v.deviceId, v.value])).toEqual([
        [s.dev('a'), 11],
        [s.dev('b'), 21],
      ]);
      const counts = await ctx.store.series(countQuery(s.city, ts));
      expect(counts).toEqual([
        { deviceId: s.dev('a'), points: [{ ts: t('2026-03-13T10:00:00Z'), value: 1 }] },
        { deviceId: s.dev('b'), points: [{ ts: t('2026-03-13T10:00:00Z'), value: 1 }] },
      ] satisfies DeviceSeries[]);
    });

    it('accepts an empty batch', async () => {
      await expect(ctx.store.writeReadings([])).resolves.toBeUndefined();
      await expect(ctx.store.writeRejections([])).resolves.toBeUndefined();
    });
  });
}

function countQuery(city: string, hourIso: string): SeriesQuery {
  const from = t(hourIso);
  return {
    city,
    metric: 'pm25',
    from,
    to: from + 3_600_000,
    everyMs: 3_600_000,
    agg: 'count',
    timeZone: 'UTC',
  };
}

function describeSensors(ctx: ConformanceContext): void {
  describe('sensors()', () => {
    it('lists each device with the metrics it reported (sorted) and when it was last seen', async () => {
      const s = scope('sensors');
      const other = `${s.city}-x`;
      await ctx.store.writeReadings([
        reading(s.city, s.dev('b'), 'temperature', '2026-03-14T12:00:00Z', 11),
        reading(s.city, s.dev('b'), 'humidity', '2026-03-14T13:30:00Z', 70),
        reading(s.city, s.dev('b'), 'pm25', '2026-03-14T09:00:00Z', 8),
        reading(s.city, s.dev('a'), 'noise_laeq', '2026-03-14T08:00:00Z', 55),
        reading(other, s.dev('c'), 'pm10', '2026-03-14T07:00:00Z', 30),
      ]);
      expect(await ctx.store.sensors({ city: s.city })).toEqual([
        { city: s.city, deviceId: s.dev('a'), metrics: ['noise_laeq'], lastSeen: t('2026-03-14T08:00:00Z') },
        {
          city: s.city,
          deviceId: s.dev('b'),
          metrics: ['humidity', 'pm25', 'temperature'],
          lastSeen: t('2026-03-14T13:30:00Z'),
        },
      ]);
      const all = await ctx.store.sensors({});
      const keys = all.map((a) => `${a.city}\u0000${a.deviceId}`);
      expect(keys).toEqual([...keys].sort());
      expect(all.filter((a) => a.city === s.city || a.city === other).map((a) => a.deviceId)).toEqual([
        s.dev('a'),
        s.dev('b'),
        s.dev('c'),
      ]);
    });
  });
}

function describeBulkAndLifecycle(ctx: ConformanceContext, open: OpenStore): void {
  describe('bulk writes and lifecycle', () => {
    it('stores a 20 000-reading batch written in one call', async () => {
      const s = scope('bulk');
      const start = t('2026-03-18T00:00:00Z');
      const batch: Reading[] = [];
      for (let i = 0; i < 10_000; i += 1) {
        for (const d of ['a', 'b']) {
          batch.push({
            city: s.city,
            deviceId: s.dev(d),
            metric: 'pm10',
            ts: start + i * 1000,
            value: i % 97,
          });
        }
      }
      await ctx.store.writeReadings(batch);
      const series = await ctx.store.series({
        city: s.city,
        metric: 'pm10',
        from: start,
        to: start + 86_400_000,
        everyMs: 86_400_000,
        agg: 'count',
        timeZone: 'UTC',
      });
      expect(series).toEqual([
        { deviceId: s.dev('a'), points: [{ ts: start, value: 10_000 }] },
        { deviceId: s.dev('b'), points: [{ ts: start, value: 10_000 }] },
      ]);
    });

    it('answers ping()', async () => {
      await expect(ctx.store.ping()).resolves.toBeUndefined();
      expect(ctx.store.kind).toMatch(/^[a-z]+$/);
    });

    it('close() finishes an in-flight write, then every further call rejects', async () => {
      const own = await open();
      try {
        const s = scope('close');
        const write = own.store.writeReadings([
          reading(s.city, s.dev('a'), 'pm25', '2026-03-19T10:00:00Z', 5),
        ]);
        await own.store.close();
        await expect(write).resolves.toBeUndefined();
        const after = [
          own.store.latest({ city: s.city }),
          own.store.writeReadings([reading(s.city, s.dev('a'), 'pm25', '2026-03-19T11:00:00Z', 6)]),
          own.store.ping(),
        ];
        for (const call of after) {
          const error = await call.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(isUcapError(error, 'STORE_UNAVAILABLE')).toBe(true);
        }
      } finally {
        await own.cleanup();
      }
    });
  });
}
