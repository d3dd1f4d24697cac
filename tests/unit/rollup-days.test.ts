import { describe, expect, it } from 'vitest';
import { cityZones, dayKeysOf, localDayOf, planSeriesRead } from '../../store/rollup-days.ts';
import type { SeriesQuery } from '../../store/time-series-store.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const t = (iso: string) => Date.parse(iso);
const zoneOf = cityZones([
  { id: 'nice', timeZone: 'Europe/Paris' },
  { id: 'zhengzhou', timeZone: 'Asia/Shanghai' },
  { id: 'kolkata', timeZone: 'Asia/Kolkata' },
]);

describe('local days of daily rollups', () => {
  it.each([
    [
      'an ordinary winter day in Paris',
      'Europe/Paris',
      '2026-01-12T15:20:00Z',
      '2026-01-12T00:00:00+01:00',
      24,
    ],
    [
      'the spring-forward day in Paris',
      'Europe/Paris',
      '2026-03-29T12:00:00Z',
      '2026-03-29T00:00:00+01:00',
      23,
    ],
    ['the fall-back day in Paris', 'Europe/Paris', '2026-10-25T22:30:00Z', '2026-10-25T00:00:00+02:00', 25],
    [
      'a day in Shanghai, from the UTC evening before',
      'Asia/Shanghai',
      '2026-03-09T16:00:00Z',
      '2026-03-10T00:00:00+08:00',
      24,
    ],
  ])('gives %s its local midnights', (_name, zone, at, midnight, hours) => {
    expect(localDayOf(t(at), zone)).toEqual({ from: t(midnight), to: t(midnight) + hours * HOUR });
  });

  it('has no days in a zone whose offset is not a whole number of hours', () => {
    expect(localDayOf(t('2026-01-12T12:00:00Z'), 'Asia/Kolkata')).toBeUndefined();
  });

  it('finds each touched day once, for cities whose zone is known', () => {
    const hour = t('2026-01-12T08:00:00Z');
    const keys = [0, 1, 2, 30].map((h) => ({
      city: 'nice',
      deviceId: 'a',
      metric: 'pm25',
      hour: hour + h * HOUR,
    }));
    const days = dayKeysOf([...keys, { city: 'elsewhere', deviceId: 'a', metric: 'pm25', hour }], zoneOf);
    expect(days.map((d) => [d.city, d.day, d.end])).toEqual([
      ['nice', t('2026-01-12T00:00:00+01:00'), t('2026-01-13T00:00:00+01:00')],
      ['nice', t('2026-01-13T00:00:00+01:00'), t('2026-01-14T00:00:00+01:00')],
    ]);
  });
});

describe('planSeriesRead', () => {
  const query = (over: Partial<SeriesQuery>): SeriesQuery => ({
    city: 'nice',
    metric: 'pm25',
    from: t('2026-01-12T10:30:00+01:00'),
    to: t('2026-01-16T07:15:00+01:00'),
    everyMs: DAY,
    agg: 'mean',
    timeZone: 'Europe/Paris',
    ...over,
  });
  const settled = t('2026-02-01T00:00:00Z');

  it('reads whole days from daily rollups, whole hours around them hourly, cut hours raw', () => {
    expect(planSeriesRead(query({}), settled, zoneOf)).toEqual({
      daily: [{ from: t('2026-01-13T00:00:00+01:00'), to: t('2026-01-16T00:00:00+01:00') }],
      hourly: [
        { from: t('2026-01-12T11:00:00+01:00'), to: t('2026-01-13T00:00:00+01:00') },
        { from: t('2026-01-16T00:00:00+01:00'), to: t('2026-01-16T07:00:00+01:00') },
      ],
      raw: [
        { from: t('2026-01-12T10:30:00+01:00'), to: t('2026-01-12T11:00:00+01:00') },
        { from: t('2026-01-16T07:00:00+01:00'), to: t('2026-01-16T07:15:00+01:00') },
      ],
    });
  });

  it('stops the daily rollups at the first day not settled', () => {
    const plan = planSeriesRead(query({}), t('2026-01-14T09:00:00Z'), zoneOf);
    expect(plan?.daily).toEqual([
      { from: t('2026-01-13T00:00:00+01:00'), to: t('2026-01-14T00:00:00+01:00') },
    ]);
    expect(plan?.raw.at(-1)).toEqual({ from: t('2026-01-14T09:00:00Z'), to: t('2026-01-16T07:15:00+01:00') });
  });

  it.each([
    ['hour buckets', { everyMs: HOUR }],
    ["another zone's days", { timeZone: 'Asia/Shanghai' }],
    ['a city without a known zone', { city: 'elsewhere' }],
  ])('uses no daily rollups for %s', (_name, over) => {
    expect(planSeriesRead(query(over), settled, zoneOf)?.daily).toEqual([]);
  });
});
