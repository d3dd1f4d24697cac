import { describe, expect, it } from 'vitest';
import type { MetricId } from '../../domain/metrics.ts';
import type { Reading } from '../../domain/reading.ts';
import { type ConformanceContext, scope, t } from './store-conformance-support.ts';

/** readings(): raw readings in (ts, device, metric) order, paged with from + offset. */
export function describeReadingsConformance(ctx: ConformanceContext): void {
  describe('readings()', () => {
    it('pages through readings that share a time, each exactly once and in order', async () => {
      const s = scope('readings-pages');
      const r = (dev: string, metric: MetricId, iso: string, value: number): Reading => ({
        city: s.city,
        deviceId: s.dev(dev),
        metric,
        ts: t(iso),
        value,
      });
      const written = [
        r('c', 'pm25', '2026-03-10T10:00:00Z', 1),
        r('a', 'pm25', '2026-03-10T10:00:00Z', 2),
        r('b', 'no2', '2026-03-10T10:00:00Z', 3),
        r('a', 'no2', '2026-03-10T10:00:00Z', 4),
        r('a', 'pm25', '2026-03-10T09:00:00Z', 5),
        r('b', 'pm25', '2026-03-10T11:00:00Z', 6),
        { ...r('b', 'temperature', '2026-03-10T11:00:00Z', 7), timeSource: 'receive' as const },
      ];
      await ctx.store.writeReadings(written);
      const range = { city: s.city, from: t('2026-03-10T00:00:00Z'), to: t('2026-03-11T00:00:00Z') };
      const all = await ctx.store.readings({ ...range, offset: 0, limit: 100 });
      expect(all.map((x) => x.value)).toEqual([5, 4, 2, 3, 1, 6, 7]);
      expect(all.at(-1)?.timeSource).toBe('receive');
      // Pages of 2, each starting at the last time seen and skipping what was given at that time.
      const paged: Reading[] = [];
      let cursor = { from: range.from, offset: 0 };
      for (let page = 0; page < 10; page += 1) {
        const got = await ctx.store.readings({ ...range, ...cursor, limit: 2 });
        paged.push(...got);
        if (got.length < 2) break;
        const lastTs = got.at(-1)?.ts ?? 0;
        const atLast = got.filter((x) => x.ts === lastTs).length;
        cursor = { from: lastTs, offset: lastTs === cursor.from ? cursor.offset + atLast : atLast };
      }
      expect(paged).toEqual(all);
      const filtered = await ctx.store.readings({
        ...range,
        metrics: ['pm25'],
        deviceIds: [s.dev('a'), s.dev('b')],
        offset: 0,
        limit: 100,
      });
      expect(filtered.map((x) => x.value)).toEqual([5, 2, 6]);
      expect(await ctx.store.readings({ ...range, deviceIds: [], offset: 0, limit: 100 })).toEqual([]);
    });

    it('stores an import-sized batch (repeated keys, rewrites of stored readings, two time sources) as one reading per key, the last written', async () => {
      const s = scope('readings-bulk');
      const start = t('2026-04-01T00:00:00Z');
      const devices = ['a', 'b', 'c', 'd'].map(s.dev);
      const batch = (count: number, value: (i: number) => number): Reading[] =>
        Array.from({ length: count }, (_, i) => ({
          city: s.city,
          deviceId: devices[i % 4] as string,
          metric: 'pm10' as const,
          ts: start + Math.floor(i / 4) * 60_000,
          value: value(i),
        }));
      await ctx.store.writeReadings(batch(3000, () => 1));
      // Rewrites the last 1000 stored readings, adds 2000 new ones, and repeats one key at the end.
      const second = batch(5000, () => 2).slice(2000);
      const repeated = { ...(second.at(-1) as Reading), value: 3, timeSource: 'receive' as const };
      await ctx.store.writeReadings([...second, repeated]);
      const range = { city: s.city, from: start, to: start + 86_400_000 };
      const stored = await ctx.store.readings({ ...range, offset: 0, limit: 10_000 });
      expect(stored).toHaveLength(5000);
      expect(stored.filter((x) => x.value === 1)).toHaveLength(2000);
      expect(stored.filter((x) => x.value === 2)).toHaveLength(2999);
      expect(stored.at(-1)).toMatchObject({ value: 3, timeSource: 'receive' });
      expect(new Set(stored.map((x) => `${x.deviceId}@${x.ts}`)).size).toBe(5000);
    });
  });
}
