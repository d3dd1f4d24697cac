import { describe, expect, it } from 'vitest';
import type { MetricId } from '../../domain/metrics.ts';
import type { Reading } from '../../domain/reading.ts';
import type { Aggregate, DeviceSeries, SeriesQuery } from '../../store/time-series-store.ts';
import { type ConformanceContext, scope, t } from './store-conformance-support.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;

type Expected = ReadonlyArray<
  readonly [deviceId: string, points: ReadonlyArray<readonly [iso: string, value: number]>]
>;

/** Exact device ids and bucket starts; values to 9 decimals, since means are floating point. */
function expectSeries(actual: DeviceSeries[], expected: Expected): void {
  expect(actual.map((s) => [s.deviceId, s.points.map((p) => p.ts)])).toEqual(
    expected.map(([d, points]) => [d, points.map(([iso]) => t(iso))]),
  );
  actual.forEach((series, i) => {
    series.points.forEach((point, j) => {
      expect(point.value).toBeCloseTo(expected[i]?.[1][j]?.[1] ?? Number.NaN, 9);
    });
  });
}

function r(city: string, deviceId: string, metric: MetricId, iso: string, value: number): Reading {
  return { city, deviceId, metric, ts: t(iso), value };
}

export function describeSeriesConformance(ctx: ConformanceContext): void {
  describe('series()', () => {
    describeHourly(ctx);
    describeLocalDays(ctx);
  });
}

function describeHourly(ctx: ConformanceContext): void {
  const s = scope('series-hourly');
  const [a, b] = [s.dev('a'), s.dev('b')];
  const base = {
    city: s.city,
    metric: 'pm25',
    from: t('2026-03-10T10:00:00Z'),
    to: t('2026-03-10T14:00:00Z'),
  };
  const query = (agg: Aggregate, extra: Partial<SeriesQuery> = {}): SeriesQuery => ({
    ...base,
    metric: 'pm25',
    everyMs: HOUR,
    agg,
    timeZone: 'Europe/Paris',
    ...extra,
  });
  let written: Promise<void> | undefined;
  const seed = () => {
    written ??= ctx.store.writeReadings([
      r(s.city, a, 'pm25', '2026-03-10T09:59:59.999Z', 1000), // before `from`: excluded
      r(s.city, a, 'pm25', '2026-03-10T10:00:00Z', 10), // at `from`: included
      r(s.city, a, 'pm25', '2026-03-10T10:20:00Z', 20),
      r(s.city, a, 'pm25', '2026-03-10T10:40:00Z', 33),
      r(s.city, a, 'pm25', '2026-03-10T11:05:00Z', 5),
      r(s.city, a, 'pm25', '2026-03-10T13:30:00Z', 7), // 12:00 stays empty
      r(s.city, a, 'pm25', '2026-03-10T14:00:00Z', 1000), // at `to`: excluded
      r(s.city, a, 'pm10', '2026-03-10T10:10:00Z', 500), // another metric
      r(s.city, b, 'pm25', '2026-03-10T10:30:00Z', 100),
      r(s.city, b, 'pm25', '2026-03-10T12:15:00Z', 50),
      r(s.city, b, 'pm25', '2026-03-10T12:45:00Z', 61),
      r(`${s.city}-x`, a, 'pm25', '2026-03-10T10:30:00Z', 999), // another city
    ]);
    return written;
  };

  it.each([
    ['mean', [21, 5, 7], [100, 55.5]],
    ['min', [10, 5, 7], [100, 50]],
    ['max', [33, 5, 7], [100, 61]],
    ['count', [3, 1, 1], [1, 2]],
  ] as const)(
    '%s over 1-hour buckets: [from, to), one series per device, empty buckets omitted',
    async (agg, av, bv) => {
      await seed();
      expectSeries(await ctx.store.series(query(agg)), [
        [
          a,
          [
            ['2026-03-10T10:00:00Z', av[0]],
            ['2026-03-10T11:00:00Z', av[1]],
            ['2026-03-10T13:00:00Z', av[2]],
          ],
        ],
        [
          b,
          [
            ['2026-03-10T10:00:00Z', bv[0]],
            ['2026-03-10T12:00:00Z', bv[1]],
          ],
        ],
      ]);
    },
  );

  it('keeps to one device when asked, and returns no series for a device without data', async () => {
    await seed();
    expectSeries(await ctx.store.series(query('mean', { deviceId: b })), [
      [
        b,
        [
          ['2026-03-10T10:00:00Z', 100],
          ['2026-03-10T12:00:00Z', 55.5],
        ],
      ],
    ]);
    expect(await ctx.store.series(query('mean', { deviceId: s.dev('none') }))).toEqual([]);
  });

  it('uses any bucket width (30 minutes)', async () => {
    await seed();
    expectSeries(await ctx.store.series(query('count', { deviceId: a, everyMs: HOUR / 2 })), [
      [
        a,
        [
          ['2026-03-10T10:00:00Z', 2],
          ['2026-03-10T10:30:00Z', 1],
          ['2026-03-10T11:00:00Z', 1],
          ['2026-03-10T13:30:00Z', 1],
        ],
      ],
    ]);
  });
}

function describeLocalDays(ctx: ConformanceContext): void {
  it('aligns 1-day buckets to Paris calendar days across the spring DST change (a 23-hour day)', async () => {
    const s = scope('series-dst-spring');
    const a = s.dev('a');
    await ctx.store.writeReadings([
      r(s.city, a, 'temperature', '2026-03-27T23:00:00Z', 1), // 28 Mar 00:00 CET
      r(s.city, a, 'temperature', '2026-03-28T22:59:59Z', 3), // 28 Mar 23:59:59 CET
      r(s.city, a, 'temperature', '2026-03-28T23:00:00Z', 10), // 29 Mar 00:00 CET
      r(s.city, a, 'temperature', '2026-03-29T01:30:00Z', 20), // 29 Mar 03:30 CEST
      r(s.city, a, 'temperature', '2026-03-29T21:59:59Z', 30), // 29 Mar 23:59:59 CEST
      r(s.city, a, 'temperature', '2026-03-29T22:00:00Z', 40), // 30 Mar 00:00 CEST
      r(s.city, a, 'temperature', '2026-03-31T12:00:00Z', 50),
    ]);
    const q: SeriesQuery = {
      city: s.city,
      metric: 'temperature',
      from: t('2026-03-27T23:00:00Z'),
      to: t('2026-03-31T22:00:00Z'),
      everyMs: DAY,
      agg: 'mean',
      timeZone: 'Europe/Paris',
    };
    const days = [
      '2026-03-27T23:00:00Z',
      '2026-03-28T23:00:00Z',
      '2026-03-29T22:00:00Z',
      '2026-03-30T22:00:00Z',
    ] as const;
    const zip = (values: number[]) => days.map((d, i) => [d, values[i] ?? Number.NaN] as const);
    expectSeries(await ctx.store.series(q), [[a, zip([2, 20, 40, 50])]]);
    expectSeries(await ctx.store.series({ ...q, agg: 'count' }), [[a, zip([2, 3, 1, 1])]]);
  });

  it('aligns 1-day buckets to Paris calendar days across the autumn DST change (a 25-hour day)', async () => {
    const s = scope('series-dst-autumn');
    const a = s.dev('a');
    await ctx.store.writeReadings([
      r(s.city, a, 'pressure', '2026-10-24T22:00:00Z', 1000), // 25 Oct 00:00 CEST
      r(s.city, a, 'pressure', '2026-10-25T22:59:59Z', 1010), // 25 Oct 23:59:59 CET
      r(s.city, a, 'pressure', '2026-10-25T23:00:00Z', 990), // 26 Oct 00:00 CET
    ]);
    const series = await ctx.store.series({
      city: s.city,
      metric: 'pressure',
      from: t('2026-10-24T22:00:00Z'),
      to: t('2026-10-26T23:00:00Z'),
      everyMs: DAY,
      agg: 'max',
      timeZone: 'Europe/Paris',
    });
    expectSeries(series, [
      [
        a,
        [
          ['2026-10-24T22:00:00Z', 1010],
          ['2026-10-25T23:00:00Z', 990],
        ],
      ],
    ]);
  });

  it('aligns 1-day buckets to Shanghai calendar days (starting 16:00 UTC), unlike UTC days', async () => {
    const s = scope('series-shanghai');
    const a = s.dev('a');
    await ctx.store.writeReadings([
      r(s.city, a, 'pm25', '2026-03-09T16:00:00Z', 4), // 10 Mar 00:00 CST
      r(s.city, a, 'pm25', '2026-03-10T15:59:59Z', 6), // 10 Mar 23:59:59 CST
      r(s.city, a, 'pm25', '2026-03-10T16:00:00Z', 9), // 11 Mar 00:00 CST
    ]);
    const q = { city: s.city, metric: 'pm25', everyMs: DAY, agg: 'count' } as const;
    const local = await ctx.store.series({
      ...q,
      from: t('2026-03-09T16:00:00Z'),
      to: t('2026-03-11T16:00:00Z'),
      timeZone: 'Asia/Shanghai',
    });
    expectSeries(local, [
      [
        a,
        [
          ['2026-03-09T16:00:00Z', 2],
          ['2026-03-10T16:00:00Z', 1],
        ],
      ],
    ]);
    const utc = await ctx.store.series({
      ...q,
      from: t('2026-03-09T00:00:00Z'),
      to: t('2026-03-12T00:00:00Z'),
      timeZone: 'UTC',
    });
    expectSeries(utc, [
      [
        a,
        [
          ['2026-03-09T00:00:00Z', 1],
          ['2026-03-10T00:00:00Z', 2],
        ],
      ],
    ]);
  });
}
