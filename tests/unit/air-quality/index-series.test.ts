import { describe, expect, it } from 'vitest';
import type { EaqiResult } from '../../../domain/air-quality/eaqi.ts';
import type { EpaResult } from '../../../domain/air-quality/epa.ts';
import type { Hj633Result } from '../../../domain/air-quality/hj633.ts';
import { computeIndexSeries, type IndexPoint } from '../../../domain/air-quality/index-series.ts';
import { localSeries } from './synthetic-series.ts';

const HOUR = 3_600_000;
const NICE = 'Europe/Paris';
const ZHENGZHOU = 'Asia/Shanghai';

const eaqi = (p: IndexPoint) => p.result as EaqiResult;
const hj = (p: IndexPoint) => p.result as Hj633Result;
const epa = (p: IndexPoint) => p.result as EpaResult;

describe('hourly indices', () => {
  const t0 = Date.parse('2025-07-01T00:00:00Z');
  const flat = (value: number, hours = 30) =>
    Array.from({ length: hours }, (_, k) => ({ ts: t0 + k * HOUR, value }));

  it('EAQI 2024 classifies each hour on its own value', () => {
    const points = computeIndexSeries({
      standard: 'eaqi',
      every: '1h',
      timeZone: NICE,
      from: t0,
      to: t0 + 2 * HOUR,
      series: { pm25: [{ ts: t0, value: 12 }], no2: [{ ts: t0 + HOUR, value: 110 }] },
    });
    expect(points.map((p) => [p.ts, eaqi(p).version, eaqi(p).overall?.name])).toEqual([
      [t0, '2024', 'Fair'],
      [t0 + HOUR, '2024', 'Very poor'],
    ]);
  });

  it('EAQI classic waits for 18 hours of PM before giving a 24-hour running mean', () => {
    const points = computeIndexSeries({
      standard: 'eaqi',
      version: 'classic',
      every: '1h',
      timeZone: NICE,
      from: t0,
      to: t0 + 30 * HOUR,
      series: { pm25: flat(30) },
    });
    expect(points[0]?.ts).toBe(t0 + 17 * HOUR);
    expect(eaqi(points[0] as IndexPoint).subIndices[0]).toMatchObject({
      averaging: '24h-running',
      concentration: 30,
    });
    expect(eaqi(points[0] as IndexPoint).overall?.name).toBe('Poor');
  });

  it('HJ 633 switches from 2012 to 2026 at midnight on 1 March 2026 in Zhengzhou', () => {
    const at = Date.parse('2026-02-28T15:00:00Z');
    const points = computeIndexSeries({
      standard: 'hj633',
      every: '1h',
      timeZone: ZHENGZHOU,
      from: at,
      to: at + 2 * HOUR,
      series: { pm25: [at, at + HOUR].map((ts) => ({ ts, value: 70 })) },
    });
    expect(points.map((p) => [p.date, hj(p).version, hj(p).report, hj(p).aqi])).toEqual([
      ['2026-02-28', '2012', 'hourly', 94],
      ['2026-03-01', '2026', 'hourly', 110],
    ]);
  });

  it('HJ 633 real-time report adds the O3 8-hour running mean once 6 hours exist', () => {
    const points = computeIndexSeries({
      standard: 'hj633',
      version: '2012',
      every: '1h',
      timeZone: ZHENGZHOU,
      from: t0,
      to: t0 + 6 * HOUR,
      series: { o3: flat(180, 6) },
    });
    expect(points.map((p) => hj(p).subIndices.map((s) => s.measure))).toEqual([
      ['o3_1h'],
      ['o3_1h'],
      ['o3_1h'],
      ['o3_1h'],
      ['o3_1h'],
      ['o3_1h', 'o3_8h'],
    ]);
    expect(hj(points[5] as IndexPoint).primaryPollutants).toEqual(['o3_8h']); // 8-h 180 → 115 > 1-h 180 → 57
  });

  it('EPA uses the PM NowCast and skips hours that fail its completeness rule', () => {
    const points = computeIndexSeries({
      standard: 'epa',
      every: '1h',
      timeZone: NICE,
      from: t0,
      to: t0 + 3 * HOUR,
      series: { pm25: flat(20, 3) },
    });
    expect(points.map((p) => [p.ts, epa(p).aqi])).toEqual([
      [t0 + HOUR, 71],
      [t0 + 2 * HOUR, 71],
    ]);
  });
});

describe('daily indices over local days', () => {
  it('HJ 633 daily report: 24-hour means, China O3 windows, primary pollutant', () => {
    const series = {
      pm25: localSeries('2025-07-01', '2025-07-03', ZHENGZHOU, (date, hour) =>
        date === '2025-07-02' && hour >= 19 ? undefined : 80,
      ),
      o3: localSeries('2025-07-01', '2025-07-03', ZHENGZHOU, (_d, hour) =>
        hour >= 12 && hour <= 19 ? 200 : 40,
      ),
    };
    const points = computeIndexSeries({
      standard: 'hj633',
      every: '1d',
      timeZone: ZHENGZHOU,
      from: Date.parse('2025-06-30T16:00:00Z'),
      to: Date.parse('2025-07-02T16:00:00Z'),
      series,
    });
    expect(points.map((p) => p.date)).toEqual(['2025-07-01', '2025-07-02']);
    const [first, second] = points.map(hj);
    // PM2.5 80: 106.25 → 107; O3 MDA8 200: 136.4 → 137; O3 daily max 1-h 200: 100
    expect(first?.subIndices.map((s) => [s.measure, s.iaqi])).toEqual([
      ['o3_1h', 100],
      ['o3_8h', 137],
      ['pm25', 107],
    ]);
    expect(first).toMatchObject({ report: 'daily', aqi: 137, primaryPollutants: ['o3_8h'] });
    // Only 19 hours of PM2.5 on 2 July: no PM2.5 daily mean (GB 3095 needs 20).
    expect(second?.subIndices.map((s) => s.measure)).toEqual(['o3_1h', 'o3_8h']);
  });

  it('a synthetic week in Nice across the October DST change', () => {
    const pm25 = localSeries('2025-10-23', '2025-10-30', NICE, (date) => (date === '2025-10-26' ? 40 : 10));
    const from = Date.parse('2025-10-22T22:00:00Z');
    const to = Date.parse('2025-10-29T23:00:00Z');
    const eaqiDays = computeIndexSeries({
      standard: 'eaqi',
      every: '1d',
      timeZone: NICE,
      from,
      to,
      series: { pm25 },
    });
    const epaDays = computeIndexSeries({
      standard: 'epa',
      every: '1d',
      timeZone: NICE,
      from,
      to,
      series: { pm25 },
    });
    expect(eaqiDays).toHaveLength(7);
    expect(eaqiDays.map((p) => [p.date, eaqi(p).overall?.name])).toEqual([
      ['2025-10-23', 'Fair'],
      ['2025-10-24', 'Fair'],
      ['2025-10-25', 'Fair'],
      ['2025-10-26', 'Moderate'],
      ['2025-10-27', 'Fair'],
      ['2025-10-28', 'Fair'],
      ['2025-10-29', 'Fair'],
    ]);
    expect(epaDays.find((p) => p.date === '2025-10-26')).toMatchObject({
      ts: Date.parse('2025-10-25T22:00:00Z'),
      result: { aqi: 112 }, // 40 µg/m³: 49/19.9 × 4.5 + 101 = 112.08
    });
    expect(epaDays.find((p) => p.date === '2025-10-27')?.ts).toBe(Date.parse('2025-10-26T23:00:00Z'));
  });

  it('EAQI classic per day takes the worst 24-hour running mean of the day', () => {
    const pm10 = localSeries('2025-05-01', '2025-05-03', NICE, (date, hour) =>
      date === '2025-05-02' && hour < 12 ? 150 : 20,
    );
    const points = computeIndexSeries({
      standard: 'eaqi',
      version: 'classic',
      every: '1d',
      timeZone: NICE,
      from: Date.parse('2025-04-30T22:00:00Z'),
      to: Date.parse('2025-05-02T22:00:00Z'),
      series: { pm10 },
    });
    // Running mean ending 11:00 on 2 May: (12 × 20 + 12 × 150)/24 = 85 → Poor; 1 May sits on the Good bound, 20
    expect(points.map((p) => [p.date, eaqi(p).subIndices[0]?.concentration, eaqi(p).overall?.name])).toEqual([
      ['2025-05-01', 20, 'Good'],
      ['2025-05-02', 85, 'Poor'],
    ]);
  });
});

describe('index series input checks', () => {
  const base = { every: '1h', timeZone: NICE, from: 0, to: HOUR, series: {} } as const;

  it('refuses unknown versions, standards and empty ranges', () => {
    expect(() => computeIndexSeries({ ...base, standard: 'eaqi', version: '1999' })).toThrow(
      /unknown EAQI version/,
    );
    expect(() => computeIndexSeries({ ...base, standard: 'hj633', version: '2020' })).toThrow(
      /unknown HJ 633 version/,
    );
    expect(() => computeIndexSeries({ ...base, standard: 'epa', version: '2012' })).toThrow(
      /unknown EPA AQI version/,
    );
    expect(() => computeIndexSeries({ ...base, standard: 'aqhi' as never })).toThrow(
      /unknown index standard/,
    );
    expect(() => computeIndexSeries({ ...base, standard: 'epa', to: 0 })).toThrow(/from < to/);
  });

  it('returns nothing for a range without data', () => {
    expect(computeIndexSeries({ ...base, standard: 'epa' })).toEqual([]);
  });
});
