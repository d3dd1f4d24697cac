import { describe, expect, it } from 'vitest';
import { openExportPages, readWithoutDeadline } from '../../api/readings-export.ts';
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

    it('gives an export the readings of readings() page by page (a stream where the store has one), from a cursor inside a tie, up to a limit', async () => {
      const s = scope('readings-export');
      const start = t('2026-05-01T00:00:00Z');
      const devices = ['a', 'b', 'c'].map(s.dev);
      // 3 devices at each instant, 8,001 instants: 24,003 readings, so export pages end inside ties.
      const written: Reading[] = Array.from({ length: 8001 }, (_, i) =>
        devices.map((deviceId) => ({
          city: s.city,
          deviceId,
          metric: 'pm10' as const,
          ts: start + i * 10_000,
          value: i,
        })),
      ).flat();
      await ctx.store.writeReadings(written);
      const query = { city: s.city, to: start + 86_400_000 };
      const exported = async (from: number, offset: number, limit: number) => {
        const pages = await openExportPages({
          store: ctx.store,
          query,
          start: { from, offset },
          limit,
          readPage: readWithoutDeadline,
        });
        const got: Reading[] = [];
        for await (const page of pages) got.push(...page);
        return got;
      };
      const all = await exported(start, 0, Number.POSITIVE_INFINITY);
      expect(all).toHaveLength(written.length);
      expect(all.map((r) => `${r.ts} ${r.deviceId}`)).toEqual(written.map((r) => `${r.ts} ${r.deviceId}`));
      expect(all[12_345]).toMatchObject({ deviceId: s.dev('a'), value: 4115 });
      // From the second device of the 101st instant on, at most 20,000: what a cursor resumes.
      const resumed = await exported(start + 100 * 10_000, 1, 20_000);
      expect(resumed).toHaveLength(20_000);
      expect(resumed).toEqual(all.slice(301, 20_301));
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
