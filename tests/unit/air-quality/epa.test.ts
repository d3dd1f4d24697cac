import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { computeEpaAqi, epaCategory, epaSubIndex } from '../../../domain/air-quality/epa.ts';
import { EPA_MEASURES, EPA_TABLES, type EpaMeasure } from '../../../domain/air-quality/epa-tables.ts';
import { loadFixture } from './load-fixture.ts';

const column = z.object({
  unit: z.string(),
  step: z.number(),
  rows: z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])),
});
const fixture = loadFixture(
  'epa-breakpoints.json',
  z.object({
    measures: z.object(
      Object.fromEntries(EPA_MEASURES.map((m) => [m, column])) as Record<EpaMeasure, typeof column>,
    ),
    categories: z.array(
      z.object({ aqi: z.tuple([z.number(), z.number()]), name: z.string(), colour: z.string() }),
    ),
  }),
);

const fix = (x: number) => Number(x.toFixed(6));

interface Case {
  measure: EpaMeasure;
  c: number;
  aqi: number | null;
  where: string;
}

// Every row edge: at cLo, at cHi, half a truncation step above cHi (truncated back), one step
// above cHi (the next row), one step below cLo (the previous row).
const cases: Case[] = EPA_MEASURES.flatMap((measure) => {
  const { rows, step } = fixture.measures[measure];
  return rows.flatMap(([cLo, cHi, iLo, iHi], k): Case[] => {
    const next = rows[k + 1];
    const out: Case[] = [
      { measure, c: cLo, aqi: iLo, where: 'at low end' },
      { measure, c: cHi, aqi: iHi, where: 'at high end' },
      { measure, c: fix(cHi + step / 2), aqi: iHi, where: 'inside the truncation step' },
    ];
    if (next) out.push({ measure, c: fix(cHi + step), aqi: next[2], where: 'one step above' });
    if (k > 0) out.push({ measure, c: fix(cLo - step), aqi: iLo - 1, where: 'one step below' });
    return out;
  });
});

describe('EPA 2024 breakpoints (fixture transcribed from the reference)', () => {
  it.each(cases)('$measure $c ($where) → AQI $aqi', ({ measure, c, aqi }) => {
    expect(epaSubIndex(measure, c).aqi).toBe(aqi);
  });

  it.each(fixture.categories.flatMap((cat) => cat.aqi.map((aqi) => ({ ...cat, aqi }))))(
    'AQI $aqi is $name ($colour)',
    ({ aqi, name, colour }) => {
      expect(epaCategory(aqi)).toMatchObject({ name, colour });
    },
  );

  it('has the 2024 PM2.5 change: Good ends at 9.0 and 325.4 µg/m³ is 500', () => {
    expect(epaSubIndex('pm25', 9.0).aqi).toBe(50);
    expect(epaSubIndex('pm25', 12.0).aqi).toBe(56); // 49/26.3 × 2.9 + 51 = 56.4 (was 50 before 2024)
    expect(epaSubIndex('pm25', 325.4).aqi).toBe(500);
  });
});

describe('EPA truncation, then rounding', () => {
  it('truncates the concentration before the lookup', () => {
    expect(epaSubIndex('pm25', 35.49)).toMatchObject({ concentration: 35.4, aqi: 100 });
    expect(epaSubIndex('pm25', 35.5).aqi).toBe(101);
    expect(epaSubIndex('pm10', 54.99)).toMatchObject({ concentration: 54, aqi: 50 });
    expect(epaSubIndex('o3_8h', 0.0874125)).toMatchObject({ concentration: 0.087, aqi: 154 }); // 153.58
    expect(epaSubIndex('co_8h', 4.49)).toMatchObject({ concentration: 4.4, aqi: 50 });
    expect(epaSubIndex('no2_1h', 100.9)).toMatchObject({ concentration: 100, aqi: 100 });
  });

  it('rounds the index half up, not down', () => {
    // O3 8-h 0.072 ppm: 49/0.014 × 0.001 + 101 = 104.5 → 105 (a truncating library says 104)
    expect(epaSubIndex('o3_8h', 0.072).aqi).toBe(105);
    expect(epaSubIndex('o3_8h', 0.074).aqi).toBe(112); // 111.5 → 112
    // PM2.5 35.9: 49/19.9 × 0.4 + 101 = 101.98 → 102
    expect(epaSubIndex('pm25', 35.9).aqi).toBe(102);
  });
});

describe('EPA rules for ozone and SO2', () => {
  it('reports the higher of the 8-hour and 1-hour ozone indices', () => {
    const r = computeEpaAqi({ o3_8h: 0.08, o3_1h: 0.13 }, { units: 'epa' });
    expect(r.subIndices.map((s) => [s.measure, s.aqi])).toEqual([
      ['o3_8h', 133], // 132.5 → 133
      ['o3_1h', 107], // 107.28 → 107
    ]);
    expect(r.aqi).toBe(133);
    expect(r.dominantPollutants).toEqual(['o3_8h']);
  });

  it('uses the 1-hour ozone value above the 8-hour table (AQI ≥ 301)', () => {
    const r = computeEpaAqi({ o3_8h: 0.201, o3_1h: 0.41 }, { units: 'epa' });
    expect(r.subIndices[0]).toMatchObject({ aqi: 306, rule: 'o3-8h-above-table-uses-1h' });
    expect(epaSubIndex('o3_8h', 0.201)).toMatchObject({ aqi: null, rule: 'above-table-no-fallback' });
  });

  it('gives no 1-hour ozone index below 0.125 ppm and leaves it out of the AQI', () => {
    const r = computeEpaAqi({ o3_8h: 0.03, o3_1h: 0.1 }, { units: 'epa' });
    expect(r.subIndices[1]).toMatchObject({ aqi: null, counted: false, rule: 'o3-1h-below-table' });
    expect(r.aqi).toBe(28); // 27.8 → 28
  });

  it('uses the 24-hour SO2 table above 304 ppb 1-hour', () => {
    // 24-h 400 ppb: 99/299 × 95 + 201 = 232.45 → 232
    expect(epaSubIndex('so2_1h', 305, { so2_24h: 400 })).toMatchObject({
      aqi: 232,
      rule: 'so2-1h-above-table-uses-24h',
    });
    // 24-h below 305: the 1-hour table has reached 200, which stays (our choice: the table has no row there)
    expect(epaSubIndex('so2_1h', 305, { so2_24h: 200 }).aqi).toBe(200);
    expect(epaSubIndex('so2_1h', 305).aqi).toBeNull();
    const r = computeEpaAqi({ so2_1h: 100, so2_24h: 400 }, { units: 'epa' });
    // 1-hour 100 ppb: 49/109 × 24 + 101 = 111.8 → 112; the 24-hour value only backs the rule above 304
    expect(r.aqi).toBe(112);
  });

  it('caps at 500 beyond the last breakpoint and says so', () => {
    expect(epaSubIndex('pm25', 400)).toMatchObject({ aqi: 500, rule: 'beyond-aqi-capped' });
    expect(epaSubIndex('pm10', 500).aqi).toBe(384); // 199/179 × 75 + 301 = 384.4
  });
});

describe('computeEpaAqi in our units', () => {
  it('converts µg/m³ and mg/m³ at 25 °C before truncating', () => {
    const r = computeEpaAqi({ no2_1h: 100, o3_8h: 140, co_8h: 5, pm25: 20 });
    const byMeasure = Object.fromEntries(r.subIndices.map((s) => [s.measure, s]));
    expect(byMeasure.no2_1h).toMatchObject({ concentration: 53, unit: 'ppb', aqi: 50 }); // 53.18 ppb
    expect(byMeasure.o3_8h).toMatchObject({ concentration: 0.071, unit: 'ppm', aqi: 101 }); // 71.36 ppb
    expect(byMeasure.co_8h).toMatchObject({ concentration: 4.3, unit: 'ppm', aqi: 49 }); // 4.367 ppm
    expect(byMeasure.pm25).toMatchObject({ concentration: 20, aqi: 71 }); // 71.3
    expect(r.aqi).toBe(101);
    expect(r.category?.name).toBe('Unhealthy for Sensitive Groups');
    expect(r.dominantPollutants).toEqual(['o3_8h']);
  });

  it('returns no AQI without data and refuses negative values', () => {
    expect(computeEpaAqi({})).toMatchObject({ aqi: null, category: null });
    expect(() => computeEpaAqi({ pm10: -3 })).toThrow(expect.objectContaining({ code: 'AQ_INVALID_INPUT' }));
  });
});

describe('EPA properties', () => {
  it('every row starts one truncation step after the previous one ends, one index higher', () => {
    for (const measure of EPA_MEASURES) {
      const { rows, truncateDecimals } = EPA_TABLES['2024'].columns[measure];
      for (let k = 1; k < rows.length; k++) {
        const prev = rows[k - 1];
        const row = rows[k];
        if (!prev || !row) continue;
        expect(row.cLo).toBeCloseTo(prev.cHi + 10 ** -truncateDecimals, 9);
        expect(row.iLo).toBe(prev.iHi + 1);
      }
    }
  });

  it('the AQI never falls as a concentration rises', () => {
    const measures = EPA_MEASURES.filter((m) => m !== 'so2_24h' && m !== 'o3_1h');
    fc.assert(
      fc.property(
        fc.constantFrom(...measures),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (measure, a, b) => {
          const rows = EPA_TABLES['2024'].columns[measure].rows;
          const top = rows[rows.length - 1]?.cHi ?? 0;
          const [lo, hi] = a <= b ? [a * top, b * top] : [b * top, a * top];
          expect(epaSubIndex(measure, lo).aqi ?? 0).toBeLessThanOrEqual(epaSubIndex(measure, hi).aqi ?? 0);
        },
      ),
    );
  });
});
