import { describe, expect, it } from 'vitest';
import type { Reading } from '../../domain/reading.ts';
import { type ConformanceContext, scope, t } from './store-conformance-support.ts';

/**
 * Reading.timeSource survives the store: a reading stamped with ingest's receive time is still
 * flagged when read back, device time stays unflagged (absent, as on Reading), and a rewrite of
 * the same point replaces the flag along with the value.
 */
export function describeTimeSourceConformance(ctx: ConformanceContext): void {
  describe('latest() time source', () => {
    it('keeps the receive-time flag per device and metric, and leaves device time unflagged', async () => {
      const s = scope('time-source');
      const at = (iso: string, rest: Omit<Reading, 'ts' | 'city'>): Reading => ({
        city: s.city,
        ts: t(iso),
        ...rest,
      });
      await ctx.store.writeReadings([
        at('2026-03-14T10:00:00Z', { deviceId: s.dev('a'), metric: 'pm25', value: 7, timeSource: 'receive' }),
        at('2026-03-14T10:00:00Z', { deviceId: s.dev('a'), metric: 'pm10', value: 9 }),
        at('2026-03-14T10:00:00Z', { deviceId: s.dev('b'), metric: 'pm25', value: 3, timeSource: 'device' }),
        // Older receive-time point under a newer device-time one: the newest point's flag wins.
        at('2026-03-14T09:00:00Z', { deviceId: s.dev('b'), metric: 'pm25', value: 2, timeSource: 'receive' }),
      ]);
      const latest = await ctx.store.latest({ city: s.city });
      expect(latest.map((v) => [v.deviceId, v.metric, v.value, v.timeSource ?? 'device'])).toEqual([
        [s.dev('a'), 'pm10', 9, 'device'],
        [s.dev('a'), 'pm25', 7, 'receive'],
        [s.dev('b'), 'pm25', 3, 'device'],
      ]);
      expect(latest.find((v) => v.deviceId === s.dev('a') && v.metric === 'pm25')).toEqual({
        city: s.city,
        deviceId: s.dev('a'),
        metric: 'pm25',
        ts: t('2026-03-14T10:00:00Z'),
        value: 7,
        timeSource: 'receive',
      });
    });

    it('replaces the flag when the same point is written again', async () => {
      const s = scope('time-source-idem');
      const base = {
        city: s.city,
        deviceId: s.dev('a'),
        metric: 'no2',
        ts: t('2026-03-14T11:00:00Z'),
      } as const;
      await ctx.store.writeReadings([{ ...base, value: 30, timeSource: 'receive' }]);
      await ctx.store.writeReadings([{ ...base, value: 31 }]);
      const [value] = await ctx.store.latest({ city: s.city });
      expect([value?.value, value?.timeSource ?? 'device']).toEqual([31, 'device']);
      await ctx.store.writeReadings([{ ...base, value: 32, timeSource: 'receive' }]);
      const [again] = await ctx.store.latest({ city: s.city });
      expect([again?.value, again?.timeSource]).toEqual([32, 'receive']);
    });
  });
}
