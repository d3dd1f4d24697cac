import { describe, expect, it } from 'vitest';
import type { Rejection } from '../../domain/reading.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';
import { type ConformanceContext, scope, t } from './store-conformance-support.ts';

function rejection(s: ReturnType<typeof scope>, device: string, iso: string, reason: string): Rejection {
  return {
    receivedAt: t(iso),
    city: s.city,
    deviceId: s.dev(device),
    topic: `ucap/${s.city}/${s.dev(device)}/readings`,
    code: 'INGEST_INVALID_PAYLOAD',
    reason,
    payload: `{"n":"${reason}"}`,
  };
}

export function describeRejectionsConformance(ctx: ConformanceContext): void {
  describe('rejections()', () => {
    it('returns rejections newest first, filtered by city, device and [from, to), at most limit', async () => {
      const s = scope('rej-filter');
      const other = scope('rej-filter-o');
      const rows = [
        rejection(s, 'a', '2026-03-15T10:00:00Z', 'r1'),
        rejection(s, 'a', '2026-03-15T11:00:00Z', 'r2'),
        rejection(s, 'b', '2026-03-15T12:00:00Z', 'r3'),
        rejection(s, 'a', '2026-03-15T13:00:00Z', 'r4'),
        rejection(s, 'a', '2026-03-15T14:00:00Z', 'r5'),
        rejection(other, 'a', '2026-03-15T12:30:00Z', 'o1'),
      ];
      await ctx.store.writeRejections(rows);
      const reasons = async (q: Parameters<TimeSeriesStore['rejections']>[0]) =>
        (await ctx.store.rejections(q)).map((r) => r.reason);
      expect(await reasons({ city: s.city, limit: 100 })).toEqual(['r5', 'r4', 'r3', 'r2', 'r1']);
      expect(await reasons({ city: s.city, limit: 2 })).toEqual(['r5', 'r4']);
      expect(await reasons({ city: s.city, deviceId: s.dev('a'), limit: 100 })).toEqual([
        'r5',
        'r4',
        'r2',
        'r1',
      ]);
      expect(await reasons({ deviceId: s.dev('b'), limit: 100 })).toEqual(['r3']);
      const window = { from: t('2026-03-15T11:00:00Z'), to: t('2026-03-15T14:00:00Z') };
      expect(await reasons({ city: s.city, ...window, limit: 100 })).toEqual(['r4', 'r3', 'r2']);
      expect(await reasons({ city: other.city, limit: 100 })).toEqual(['o1']);
      expect(await ctx.store.rejections({ city: s.city, deviceId: s.dev('b'), limit: 1 })).toEqual([rows[2]]);
    });

    it('keeps payload, reason and topic text exactly, whatever characters they hold', async () => {
      const s = scope('rej-text');
      const nasty = 'a "quoted" \\back\\slash\\, comma, space = equals\nnew line\ttab µg/m³ 郑州 ';
      const row: Rejection = {
        receivedAt: t('2026-03-16T10:00:00.123Z'),
        city: s.city,
        deviceId: s.dev('a'),
        topic: `ucap/${s.city}/${s.dev('a')}/readings`,
        code: 'INGEST_OUT_OF_RANGE',
        reason: `values.pm25: ${nasty}`,
        payload: `{"pm25":"${nasty}","note":"\\"x\\""}\n\\`,
      };
      await ctx.store.writeRejections([row]);
      expect(await ctx.store.rejections({ city: s.city, limit: 10 })).toEqual([row]);
    });

    it('keeps two rejections from the same device with the same code in the same millisecond', async () => {
      const s = scope('rej-same-ms');
      // Same device, code and time: in InfluxDB the same series and timestamp, so only a unique
      // sub-millisecond part keeps the second from overwriting the first.
      const a = rejection(s, 'a', '2026-03-17T10:00:00.500Z', 'first');
      const b = rejection(s, 'a', '2026-03-17T10:00:00.500Z', 'second');
      await ctx.store.writeRejections([a, b]);
      const got = await ctx.store.rejections({ city: s.city, limit: 10 });
      expect([...got].sort((x, y) => x.reason.localeCompare(y.reason))).toEqual([a, b]);
    });
  });
}
