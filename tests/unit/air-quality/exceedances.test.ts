import { describe, expect, it } from 'vitest';
import type { LimitAssessment } from '../../../domain/air-quality/assessment-types.ts';
import { assessExceedances } from '../../../domain/air-quality/exceedances.ts';
import { limitValuesFor } from '../../../domain/air-quality/limit-values.ts';
import { addDays, dateKeysBetween } from '../../../domain/air-quality/local-calendar.ts';
import { localSeries } from './synthetic-series.ts';

const NICE = 'Europe/Paris';
const ZHENGZHOU = 'Asia/Shanghai';

function find(assessments: readonly LimitAssessment[], id: string): LimitAssessment {
  const a = assessments.find((x) => x.limit.id === id);
  if (!a) throw new Error(`no assessment ${id}`);
  return a;
}

describe('EU 2008/50/EC in Nice, 2025 (local calendar, DST days included)', () => {
  const days = dateKeysBetween('2025-01-01', '2026-01-01');
  // 40 days above 50 µg/m³, among them both DST change days.
  const pmDays = new Set([...days.slice(0, 38), '2025-03-30', '2025-10-26']);
  const no2Hours = new Set(Array.from({ length: 16 }, (_, k) => `${days[k * 10]}T09`));
  const series = {
    pm10: localSeries('2025-01-01', '2026-01-01', NICE, (date) => (pmDays.has(date) ? 60 : 30)),
    no2: localSeries('2025-01-01', '2026-01-01', NICE, (date, hour) => {
      if (no2Hours.has(`${date}T${String(hour).padStart(2, '0')}`)) return 250;
      if (date === '2025-06-02' && hour >= 10 && hour <= 12) return 450; // one 3-hour alert episode
      if (date === '2025-06-03' && hour >= 10 && hour <= 11) return 450; // 2 hours: no episode
      return 20;
    }),
    o3: localSeries('2025-01-01', '2026-01-01', NICE, (date, hour) => {
      const hot = date >= '2025-07-01' && date < '2025-07-27'; // 26 days
      if (hot && hour >= 12 && hour <= 19) return date === '2025-07-01' && hour === 15 ? 190 : 130;
      return 60;
    }),
  };
  const report = assessExceedances({ standard: 'eu2008', timeZone: NICE, period: { year: 2025 }, series });

  it('counts daily PM10 exceedances over local days, DST days included, against the 35 allowed', () => {
    expect(find(report.assessments, 'pm10-24h')).toMatchObject({
      status: 'assessed',
      exceedances: 40,
      exceedanceUnit: 'days',
      allowed: 35,
      compliant: false,
      samples: 365,
      coverage: { valid: true, have: 365, need: 329, of: 365, unit: 'days' },
    });
  });

  it('compares the annual mean of hourly values with 40 µg/m³', () => {
    const annual = find(report.assessments, 'pm10-annual');
    // 40 × 24 hours − 1 (spring day) + 1 (autumn day) = 960 hours at 60 among 8760.
    expect(annual.statistic).toBeCloseTo((960 * 60 + (8760 - 960) * 30) / 8760, 9);
    expect(annual).toMatchObject({
      compliant: true,
      coverage: { valid: true, have: 8760, of: 8760, unit: 'hours' },
    });
  });

  it('counts NO2 hours above 200 against the 18 allowed and 3-hour alert episodes', () => {
    expect(find(report.assessments, 'no2-1h')).toMatchObject({
      exceedances: 21,
      allowed: 18,
      compliant: false,
    });
    expect(find(report.assessments, 'no2-3h-consecutive')).toMatchObject({
      exceedances: 1,
      exceedanceUnit: 'episodes',
    });
    expect(find(report.assessments, 'no2-3h-consecutive').compliant).toBeUndefined();
  });

  it('counts ozone target-value days and information-threshold hours, with the summer coverage rule', () => {
    expect(find(report.assessments, 'o3-8h-daily-max')).toMatchObject({
      exceedances: 26,
      allowed: 25,
      compliant: false,
      coverage: { valid: true, have: 6, need: 5, of: 6, unit: 'months' },
    });
    expect(find(report.assessments, 'o3-1h-information')).toMatchObject({
      exceedances: 1,
      exceedanceUnit: 'hours',
    });
  });

  it('says when there is no data rather than claiming compliance', () => {
    expect(find(report.assessments, 'so2-1h')).toEqual({ limit: expect.anything(), status: 'no-data' });
    expect(find(report.assessments, 'co-8h-daily-max').status).toBe('no-data');
  });

  it('marks results invalid when two months are missing', () => {
    const gappy = series.pm10.filter(
      (p) => p.ts < Date.parse('2025-03-01') || p.ts >= Date.parse('2025-05-01'),
    );
    const r = assessExceedances({
      standard: 'eu2008',
      timeZone: NICE,
      period: { year: 2025 },
      series: { pm10: gappy },
    });
    expect(find(r.assessments, 'pm10-24h').coverage).toMatchObject({ valid: false, have: 304, need: 329 });
    expect(find(r.assessments, 'pm10-annual').coverage?.valid).toBe(false);
  });

  it('applies the 2030 values of Directive 2024/2881 to the same data', () => {
    const r = assessExceedances({ standard: 'eu2030', timeZone: NICE, period: { year: 2025 }, series });
    expect(find(r.assessments, 'pm10-24h')).toMatchObject({ exceedances: 40, allowed: 18, compliant: false });
    expect(find(r.assessments, 'pm10-annual')).toMatchObject({ compliant: false });
    expect(find(r.assessments, 'no2-1h')).toMatchObject({ exceedances: 21, allowed: 3 });
  });
});

describe('GB 3095 in Zhengzhou: percentiles, not counts', () => {
  const days = dateKeysBetween('2025-01-01', '2026-01-01');
  const dayIndex = new Map(days.map((d, i) => [d, i]));
  // Daily PM2.5 0, 0.3, 0.6, … 109.2 µg/m³ — every hour of day i at 0.3·i.
  const pm25 = localSeries('2025-01-01', '2026-01-01', ZHENGZHOU, (date) => 0.3 * (dayIndex.get(date) ?? 0));

  it('grade II 2012: 95th percentile of daily means against 75 µg/m³, annual mean against 35', () => {
    const r = assessExceedances({
      standard: 'gb3095-2012',
      timeZone: ZHENGZHOU,
      period: { year: 2025 },
      series: { pm25 },
    });
    expect(r.grade).toBe('II');
    const daily = find(r.assessments, 'pm25-24h');
    // k = 1 + 364 × 0.95 = 346.8 → 0.3 × 345.8 = 103.74
    expect(daily.statistic).toBeCloseTo(103.74, 9);
    expect(daily).toMatchObject({ compliant: false, exceedances: 114, detail: '95th percentile' });
    expect(daily.coverage).toMatchObject({ valid: true, have: 365, need: 324, unit: 'days' });
    expect(find(r.assessments, 'pm25-annual')).toMatchObject({
      statistic: expect.closeTo(54.6, 9),
      compliant: false,
    });
  });

  it('grade I is stricter', () => {
    const r = assessExceedances({
      standard: 'gb3095-2012',
      grade: 'I',
      timeZone: ZHENGZHOU,
      period: { year: 2025 },
      series: { pm25 },
    });
    expect(find(r.assessments, 'pm25-24h')).toMatchObject({ exceedances: 248 }); // 0.3·i > 35 ⇔ i ≥ 117
  });

  it('needs 27 valid days in every month even when the year has 324', () => {
    const januaryGaps = new Set(['2025-01-03', '2025-01-09', '2025-01-15', '2025-01-21', '2025-01-27']);
    const gappy = localSeries('2025-01-01', '2026-01-01', ZHENGZHOU, (date) =>
      januaryGaps.has(date) ? undefined : 50,
    );
    const r = assessExceedances({
      standard: 'gb3095-2012',
      timeZone: ZHENGZHOU,
      period: { year: 2025 },
      series: { pm25: gappy },
    });
    const coverage = find(r.assessments, 'pm25-24h').coverage;
    expect(coverage).toMatchObject({ valid: false, have: 360, need: 324 });
    expect(coverage?.rule).toMatch(/too few in 2025-01/);
  });

  it('does not count a day with 19 hours (GB 3095 needs 20)', () => {
    const short = localSeries('2025-01-01', '2026-01-01', ZHENGZHOU, (date, hour) =>
      date === '2025-05-05' && hour >= 19 ? undefined : 40,
    );
    const r = assessExceedances({
      standard: 'gb3095-2012',
      timeZone: ZHENGZHOU,
      period: { year: 2025 },
      series: { pm25: short },
    });
    expect(find(r.assessments, 'pm25-24h').samples).toBe(364);
  });

  it('uses the 90th percentile of daily maximum 8-hour ozone (windows ending 08:00–24:00)', () => {
    // Afternoon ozone rising through the year; nights at 20.
    const o3 = localSeries('2025-01-01', '2026-01-01', ZHENGZHOU, (date, hour) =>
      hour >= 10 && hour <= 17 ? 100 + 0.2 * (dayIndex.get(date) ?? 0) : 20,
    );
    const r = assessExceedances({
      standard: 'gb3095-2012',
      timeZone: ZHENGZHOU,
      period: { year: 2025 },
      series: { o3 },
    });
    const mda8 = find(r.assessments, 'o3-8h-daily-max');
    // k = 1 + 364 × 0.9 = 328.6 → 100 + 0.2 × 327.6
    expect(mda8.statistic).toBeCloseTo(165.52, 9);
    expect(mda8).toMatchObject({ compliant: false, detail: '90th percentile', exceedances: 64 }); // 0.2·i > 60 ⇔ i ≥ 301
  });

  it('picks GB 3095-2026 transition limits up to 2030 and final ones from 2031', () => {
    const pm = (year: number) =>
      limitValuesFor('gb3095-2026', { year }).limits.find((l) => l.id === 'pm25-24h')?.value;
    expect(pm(2030)).toBe(60);
    expect(pm(2031)).toBe(50);
    const r = assessExceedances({
      standard: 'gb3095-2026',
      timeZone: ZHENGZHOU,
      period: { year: 2031 },
      series: {},
    });
    expect(r).toMatchObject({ grade: 'II', phase: 'final' });
  });
});

describe('WHO 2021', () => {
  const days = dateKeysBetween('2025-01-01', '2026-01-01');
  const o3 = localSeries('2025-01-01', '2026-01-01', NICE, (date, hour) => {
    const month = Number(date.slice(5, 7));
    const peak = month >= 5 && month <= 10 ? 95 : 70; // May–October is the high season
    return hour >= 11 && hour <= 18 ? peak : 30;
  });

  it('finds the six-month peak season of daily maximum 8-hour ozone', () => {
    const r = assessExceedances({
      standard: 'who2021',
      timeZone: NICE,
      period: { year: 2025 },
      series: { o3 },
    });
    expect(r.grade).toBe('aqg');
    expect(find(r.assessments, 'o3-peak-season')).toMatchObject({
      status: 'assessed',
      statistic: 95,
      compliant: false,
      detail: 'months 2025-05 to 2025-10',
      samples: 184,
    });
    // The 99th percentile of daily maxima, 95, meets the 8-hour guideline of 100 all the same.
    expect(find(r.assessments, 'o3-8h-daily-max')).toMatchObject({
      statistic: 95,
      compliant: true,
      exceedances: 0,
    });
  });

  it('meets interim target 1 where it misses the guideline', () => {
    const r = assessExceedances({
      standard: 'who2021',
      grade: 'it1',
      timeZone: NICE,
      period: { year: 2025 },
      series: { o3 },
    });
    expect(find(r.assessments, 'o3-peak-season').compliant).toBe(true);
    expect(r.assessments.some((a) => a.limit.averaging === '10min')).toBe(false);
  });

  it('cannot judge 10- and 15-minute guidelines from hourly means', () => {
    const r = assessExceedances({
      standard: 'who2021',
      timeZone: NICE,
      period: { year: 2025 },
      series: { o3 },
    });
    expect(find(r.assessments, 'so2-10min')).toMatchObject({ status: 'not-assessable' });
    expect(find(r.assessments, 'co-15min')).toMatchObject({ status: 'not-assessable' });
    expect(days).toHaveLength(365);
  });
});

describe('periods and input errors', () => {
  it('assesses an explicit range of local days', () => {
    const pm10 = localSeries('2025-03-29', '2025-04-01', NICE, (date) => (date === '2025-03-30' ? 80 : 20));
    const r = assessExceedances({
      standard: 'eu2008',
      timeZone: NICE,
      period: { from: '2025-03-29', to: addDays('2025-03-31', 1) },
      series: { pm10 },
    });
    expect(r.period).toEqual({
      from: '2025-03-29',
      to: '2025-04-01',
      start: Date.parse('2025-03-28T23:00:00Z'),
      end: Date.parse('2025-03-31T22:00:00Z'),
    });
    expect(find(r.assessments, 'pm10-24h')).toMatchObject({
      exceedances: 1,
      samples: 3,
      coverage: { valid: true },
    });
    expect(find(r.assessments, 'pm10-annual').coverage).toMatchObject({ have: 71, of: 71 }); // 24 + 23 + 24 hours
  });

  it('refuses grades a standard does not have, unknown standards and empty periods', () => {
    const base = { timeZone: NICE, period: { year: 2025 }, series: {} } as const;
    expect(() => assessExceedances({ ...base, standard: 'eu2008', grade: 'II' })).toThrow(/has no grades/);
    expect(() => assessExceedances({ ...base, standard: 'gb3095-2012', grade: 'III' })).toThrow(
      /grade must be one of I, II/,
    );
    expect(() => assessExceedances({ ...base, standard: 'eu1999' as never })).toThrow(
      /unknown limit-value standard/,
    );
    expect(() =>
      assessExceedances({ ...base, standard: 'eu2008', period: { from: '2025-02-01', to: '2025-02-01' } }),
    ).toThrow(/empty/);
  });
});
