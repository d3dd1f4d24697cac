import { describe, expect, it } from 'vitest';
import type { EpaResult } from '../../../domain/air-quality/epa.ts';
import { computeEpaAqi, epaVersionFor } from '../../../domain/air-quality/epa.ts';
import { computeHj633Aqi, type Hj633Result } from '../../../domain/air-quality/hj633.ts';
import { computeIndexSeries } from '../../../domain/air-quality/index-series.ts';
import { ppbToUgm3 } from '../../../domain/gas-conversion.ts';
import type { MetricId } from '../../../domain/metrics.ts';
import { toCanonical } from '../../../domain/units.ts';
import { localSeries } from './synthetic-series.ts';

/**
 * The corrections of issue 10, each checked the way a user would notice it: a value the index
 * shows, a pollutant the response names, the table chosen for a date, one conversion factor.
 */
const ZHENGZHOU = 'Asia/Shanghai';

describe('a sub-index that cannot be computed is reported, and the overall index marked incomplete', () => {
  it('HJ 633-2012: SO2 1-hour above 800 µg/m³ without a 24-hour mean', () => {
    const r = computeHj633Aqi({ so2_1h: 900, pm25: 40 }, { version: '2012', report: 'hourly' });
    expect(r.aqi).toBe(57); // PM2.5 alone: (100 − 50)/(75 − 35) × 5 + 50 = 56.25 → 57
    expect(r.incomplete).toBe(true);
    expect(r.notComputed).toEqual([
      {
        measure: 'so2_1h',
        pollutant: 'so2',
        reason: expect.stringMatching(/HJ 633-2012 Table 1 note \(a\).*so2_24h/),
      },
    ]);
  });

  it('HJ 633: a complete set of sub-indices is not marked incomplete', () => {
    const r = computeHj633Aqi({ so2_1h: 900, so2_24h: 300, pm25: 40 }, { version: '2012', report: 'hourly' });
    expect([r.aqi, r.incomplete, r.notComputed]).toEqual([124, false, []]);
  });

  it('US EPA: O3 8-hour above 0.200 ppm without a 1-hour value', () => {
    const r = computeEpaAqi({ o3_8h: 0.21, pm25: 20 }, { units: 'epa' });
    expect(r.aqi).toBe(71); // PM2.5 20.0: (100 − 51)/(35.4 − 9.1) × 10.9 + 51 = 71.3 → 71
    expect(r.incomplete).toBe(true);
    expect(r.notComputed).toEqual([
      { measure: 'o3_8h', pollutant: 'o3', reason: expect.stringMatching(/1-hour O3 value \(o3_1h\)/) },
    ]);
  });
});

describe('HJ 633 daily index: which ozone values enter it', () => {
  // One Zhengzhou day: O3 at 300 µg/m³ for one hour (1-hour IAQI 150), 80 µg/m³ otherwise, so the
  // daily maximum 8-hour mean stays below 160 (IAQI ≤ 100).
  const o3 = localSeries('2026-07-01', '2026-07-03', ZHENGZHOU, (_d, hour) => (hour === 14 ? 300 : 80));
  const daily = (from: string) =>
    computeIndexSeries({
      standard: 'hj633',
      every: '1d',
      timeZone: ZHENGZHOU,
      from: Date.parse(`${from}T00:00:00+08:00`),
      to: Date.parse(`${from}T00:00:00+08:00`) + 86_400_000,
      series: { o3 },
    })[0]?.result as Hj633Result;

  it('HJ 633-2026 counts the daily maximum 8-hour mean only', () => {
    const r = daily('2026-07-01');
    expect(r.version).toBe('2026');
    expect(r.subIndices.map((s) => s.measure)).toEqual(['o3_8h']);
    // max 8-h mean: (300 + 7 × 80)/8 = 107.5 → (100 − 50)/(160 − 100) × 7.5 + 50 = 56.25 → 57
    expect(r.aqi).toBe(57);
  });

  it('HJ 633-2012 (daily report, 日报) counts the daily maximum 1-hour mean too', () => {
    const points = computeIndexSeries({
      standard: 'hj633',
      version: '2012',
      every: '1d',
      timeZone: ZHENGZHOU,
      from: Date.parse('2026-07-01T00:00:00+08:00'),
      to: Date.parse('2026-07-02T00:00:00+08:00'),
      series: { o3 },
    });
    const r = points[0]?.result as Hj633Result;
    expect(r.aqi).toBe(150); // 1-hour 300 µg/m³ sits on the 150 node
    expect(r.primaryPollutants).toEqual(['o3_1h']);
  });
});

describe('US EPA: the PM2.5 table is chosen by date', () => {
  const day = (date: string) =>
    computeIndexSeries({
      standard: 'epa',
      every: '1d',
      timeZone: 'UTC',
      from: Date.parse(`${date}T00:00:00Z`),
      to: Date.parse(`${date}T00:00:00Z`) + 86_400_000,
      series: { pm25: localSeries(date, nextDay(date), 'UTC', () => 10) },
    })[0]?.result as EpaResult;

  it('uses the 2024 table from 2024-05-06 and the previous one before', () => {
    expect([epaVersionFor('2024-05-05'), epaVersionFor('2024-05-06')]).toEqual(['2018', '2024']);
    // 10.0 µg/m³: 2018 table 0.0–12.0 → 50/12 × 10 = 41.7 → 42; 2024 table 9.1–35.4 → 52.7 → 53
    expect([day('2024-05-05').version, day('2024-05-05').aqi]).toEqual(['2018', 42]);
    expect([day('2024-05-06').version, day('2024-05-06').aqi]).toEqual(['2024', 53]);
  });

  it('keeps the 2018 hazardous split (301–400, 401–500) for old data', () => {
    const r = computeEpaAqi({ pm25: 400 }, { version: '2018' });
    // 400.0 in 350.5–500.4 → (500 − 401)/(500.4 − 350.5) × 49.5 + 401 = 433.7 → 434
    expect(r.aqi).toBe(434);
    // PM10 550: 2018 505–604 → 401 + 99/99 × 45 = 446; 2024 425–604 → 301 + 199/179 × 125 = 440.0 → 440
    expect(computeEpaAqi({ pm10: 550 }, { version: '2018' }).aqi).toBe(446);
    expect(computeEpaAqi({ pm10: 550 }, { version: '2024' }).aqi).toBe(440);
  });
});

describe('one table of molar masses and one gas conversion', () => {
  it('a payload in ppb becomes the µg/m³ the index module would compute at 20 °C', () => {
    for (const gas of ['no2', 'o3', 'so2'] as const satisfies readonly MetricId[]) {
      const converted = toCanonical(gas, 100, 'ppb');
      expect(converted.ok && converted.value).toBeCloseTo(ppbToUgm3(gas, 100, 'eu'), 9);
    }
  });
});

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
