import { describe, expect, it } from 'vitest';
import {
  dailyMeans,
  type HourlyValue,
  periodMean,
  runningMeans,
} from '../../../domain/air-quality/averaging.ts';
import { dailyMax8h } from '../../../domain/air-quality/daily-max-8h.ts';
import { addDays, hoursOfLocalDay } from '../../../domain/air-quality/local-calendar.ts';
import { percentile } from '../../../domain/air-quality/percentile.ts';
import { CHINA_VALIDITY, EPA_VALIDITY, EU_VALIDITY } from '../../../domain/air-quality/validity-rules.ts';

const HOUR = 3_600_000;
const PARIS = 'Europe/Paris';

/** Hourly values for the local days [from, to) of a zone, value chosen per hour. */
function hourly(
  from: string,
  days: number,
  zone: string,
  value: (ts: number, k: number) => number,
): HourlyValue[] {
  const out: HourlyValue[] = [];
  let k = 0;
  for (let d = 0; d < days; d++) {
    const date = new Date(Date.parse(`${from}T12:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10);
    for (const ts of hoursOfLocalDay(date, zone)) out.push({ ts, value: value(ts, k++) });
  }
  return out;
}

describe('daily means on the local calendar', () => {
  it('averages the 23 hours of the spring DST day and the 25 of the autumn one in Nice', () => {
    for (const [day, hours] of [
      ['2025-03-30', 23],
      ['2025-10-26', 25],
    ] as const) {
      const inDay = new Set(hoursOfLocalDay(day, PARIS));
      const start = Math.min(...inDay);
      // Neighbouring days hold 1000: any hour wrongly counted in the DST day would show.
      const series = hourly(addDays(day, -1), 3, PARIS, (ts) => (inDay.has(ts) ? (ts - start) / HOUR : 1000));
      const result = dailyMeans(series, { timeZone: PARIS, minHours: 18 });
      const target = result.find((d) => d.date === day);
      expect(target).toMatchObject({ hoursInDay: hours, count: hours, value: (hours - 1) / 2, valid: true });
      expect(result.filter((d) => d.date !== day).every((d) => d.value === 1000)).toBe(true);
    }
  });

  it('is valid with 18 hourly values (EU) but not with 17, and China needs 20', () => {
    const day = hoursOfLocalDay('2025-05-05', PARIS);
    const series = (n: number) => day.slice(0, n).map((ts) => ({ ts, value: 10 }));
    expect(dailyMeans(series(18), { timeZone: PARIS, minHours: EU_VALIDITY.dailyMinHours })[0]?.valid).toBe(
      true,
    );
    expect(dailyMeans(series(17), { timeZone: PARIS, minHours: EU_VALIDITY.dailyMinHours })[0]).toMatchObject(
      {
        valid: false,
        count: 17,
        value: 10,
      },
    );
    expect(
      dailyMeans(series(19), { timeZone: PARIS, minHours: CHINA_VALIDITY.dailyMinHours })[0]?.valid,
    ).toBe(false);
  });

  it('reports empty days inside a requested range', () => {
    const series = hourly('2025-05-05', 1, PARIS, () => 5);
    const result = dailyMeans(series, {
      timeZone: PARIS,
      minHours: 18,
      from: '2025-05-04',
      to: '2025-05-07',
    });
    expect(result.map((d) => [d.date, d.count, d.valid])).toEqual([
      ['2025-05-04', 0, false],
      ['2025-05-05', 24, true],
      ['2025-05-06', 0, false],
    ]);
  });

  it('splits Zhengzhou days at 16:00 UTC', () => {
    const series = [
      { ts: Date.parse('2025-05-05T15:00:00Z'), value: 10 },
      { ts: Date.parse('2025-05-05T16:00:00Z'), value: 30 },
    ];
    const result = dailyMeans(series, { timeZone: 'Asia/Shanghai', minHours: 1 });
    expect(result.map((d) => [d.date, d.value])).toEqual([
      ['2025-05-05', 10],
      ['2025-05-06', 30],
    ]);
  });

  it('rejects two values for one hour and negative values', () => {
    const ts = Date.parse('2025-05-05T10:00:00Z');
    expect(() =>
      dailyMeans(
        [
          { ts, value: 1 },
          { ts, value: 2 },
        ],
        { timeZone: PARIS, minHours: 1 },
      ),
    ).toThrow(/two values/);
    expect(() => dailyMeans([{ ts, value: -1 }], { timeZone: PARIS, minHours: 1 })).toThrow(
      /not a concentration/,
    );
  });
});

describe('running means', () => {
  it('averages the 24 hours ending with each hour, valid from 18 values', () => {
    const t0 = Date.parse('2025-05-05T00:00:00Z');
    const series = Array.from({ length: 30 }, (_, k) => ({ ts: t0 + k * HOUR, value: k }));
    const result = runningMeans(series, { hours: 24, minHours: 18 });
    expect(result).toHaveLength(30);
    expect(result[16]).toMatchObject({ count: 17, valid: false });
    expect(result[17]).toMatchObject({ count: 18, value: 8.5, valid: true });
    expect(result[29]).toMatchObject({ ts: t0 + 29 * HOUR, count: 24, value: 17.5, valid: true });
  });
});

describe('daily maximum 8-hour mean per standard', () => {
  // 2025-07-01 in Nice: 200 µg/m³ from 17:00 on 30 June to 00:59 on 1 July, 10 otherwise.
  const dayStart = Date.parse('2025-06-30T22:00:00Z');
  const series = hourly('2025-06-30', 3, PARIS, (ts) =>
    ts >= dayStart - 7 * HOUR && ts <= dayStart ? 200 : 10,
  );

  it('EU: windows end in the day, so 17:00–01:00 counts for 1 July', () => {
    const r = dailyMax8h(series, {
      timeZone: PARIS,
      rule: EU_VALIDITY.dailyMax8h,
      from: '2025-07-01',
      to: '2025-07-02',
    });
    expect(r[0]).toMatchObject({
      date: '2025-07-01',
      value: 200,
      windowStart: dayStart - 7 * HOUR,
      windows: 24,
      valid: true,
    });
  });

  it('China: only windows ending 08:00–24:00 count', () => {
    const r = dailyMax8h(series, {
      timeZone: PARIS,
      rule: CHINA_VALIDITY.dailyMax8h,
      from: '2025-07-01',
      to: '2025-07-02',
    });
    expect(r[0]).toMatchObject({ value: (200 + 7 * 10) / 8, windows: 17, valid: true });
  });

  it('US EPA: windows begin 07:00–23:00, so the evening peak belongs to 30 June', () => {
    const r = dailyMax8h(series, {
      timeZone: PARIS,
      rule: EPA_VALIDITY.dailyMax8h,
      from: '2025-06-30',
      to: '2025-07-02',
    });
    expect(r.map((d) => d.value)).toEqual([200, 10]);
    expect(r[0]?.windows).toBe(17);
  });

  it('has 23 and 25 EU windows on DST days, each still 8 real hours', () => {
    const spring = hourly('2025-03-29', 3, PARIS, () => 50);
    const autumn = hourly('2025-10-25', 3, PARIS, () => 50);
    const rule = EU_VALIDITY.dailyMax8h;
    expect(
      dailyMax8h(spring, { timeZone: PARIS, rule, from: '2025-03-30', to: '2025-03-31' })[0]?.windows,
    ).toBe(23);
    expect(
      dailyMax8h(autumn, { timeZone: PARIS, rule, from: '2025-10-26', to: '2025-10-27' })[0],
    ).toMatchObject({
      windows: 25,
      validWindows: 25,
      value: 50,
    });
  });

  it('needs 6 of 8 hours per window and 18 valid windows a day (EU)', () => {
    const day = hoursOfLocalDay('2025-07-10', PARIS);
    // Only 00:00–12:59 measured: windows whose last hour starts 05:00…14:00 hold ≥ 6 of them → 10 valid.
    const sparse = day.slice(0, 13).map((ts) => ({ ts, value: 80 }));
    const r = dailyMax8h(sparse, { timeZone: PARIS, rule: EU_VALIDITY.dailyMax8h });
    expect(r[0]).toMatchObject({ validWindows: 10, valid: false, value: 80 });
  });
});

describe('percentile (HJ 663-2013 method)', () => {
  it('interpolates between ranks: k = 1 + (n − 1)·p', () => {
    const oneToTen = Array.from({ length: 10 }, (_, k) => k + 1);
    expect(percentile(oneToTen, 95)).toBeCloseTo(9.55, 10);
    expect(percentile(oneToTen, 50)).toBeCloseTo(5.5, 10);
    expect(percentile(oneToTen, 100)).toBe(10);
    expect(percentile(oneToTen, 0)).toBe(1);
    expect(percentile([4, 1, 3, 2], 90)).toBeCloseTo(3.7, 10); // unsorted input
    expect(percentile([42], 98)).toBe(42);
    expect(percentile([], 95)).toBeUndefined();
  });

  it('gives the 95th percentile of a year of daily values between the 347th and 348th', () => {
    const days = Array.from({ length: 365 }, (_, k) => k + 1);
    // k = 1 + 364 × 0.95 = 346.8 → X346 + 0.8 × (X347 − X346)
    expect(percentile(days, 95)).toBeCloseTo(346.8, 10);
    expect(percentile(days, 90)).toBeCloseTo(328.6, 10);
    expect(percentile(days, 98)).toBeCloseTo(357.72, 10);
  });

  it('rejects a percentile outside 0–100', () => {
    expect(() => percentile([1], 101)).toThrow(/0–100/);
  });
});

describe('period mean', () => {
  it('averages the hours inside [from, to) and says how many there could have been', () => {
    const t0 = Date.parse('2025-01-01T00:00:00Z');
    const series = Array.from({ length: 10 }, (_, k) => ({ ts: t0 + k * HOUR, value: k }));
    expect(periodMean(series, t0 + 2 * HOUR, t0 + 6 * HOUR)).toEqual({ count: 4, expected: 4, value: 3.5 });
    expect(periodMean(series, t0 + 20 * HOUR, t0 + 24 * HOUR)).toEqual({
      count: 0,
      expected: 4,
      value: undefined,
    });
  });
});
