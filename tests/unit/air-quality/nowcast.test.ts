import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeEpaAqi } from '../../../domain/air-quality/epa.ts';
import { nowcast, nowcastSeries } from '../../../domain/air-quality/nowcast.ts';
import { truncateTo } from '../../../domain/air-quality/sub-index.ts';

const HOUR = 3_600_000;

describe('PM NowCast', () => {
  it('reproduces the EPA worked example: 17.4 µg/m³', () => {
    // EPA "Computing the NowCast" example, oldest → newest: 50 80 75 90 82 53 64 74 21 10 16 13.
    const recentFirst = [13, 16, 10, 21, 74, 64, 53, 82, 90, 75, 80, 50];
    const value = nowcast(recentFirst);
    expect(value).toBeCloseTo(17.41, 2);
    // Truncated to 0.1 µg/m³, then the 2024 AQI: 49/26.3 × 8.3 + 51 = 66.5 → 66
    expect(truncateTo(value ?? 0, 1)).toBe(17.4);
    expect(computeEpaAqi({ pm25: value ?? 0 }, { units: 'epa' }).aqi).toBe(66);
  });

  it('clamps the weight factor at 0.5 but lets steady air weigh hours almost equally', () => {
    // min/max = 0.9 → w = 0.9
    const steady = [10, 9, 10, 9, 10, 9, 10, 9, 10, 9, 10, 9];
    const w = 0.9;
    const expected =
      steady.reduce((s, v, k) => s + v * w ** k, 0) / steady.reduce((s, _v, k) => s + w ** k, 0);
    expect(nowcast(steady)).toBeCloseTo(expected, 10);
    expect(nowcast([100, 0, 0, 0])).toBeCloseTo(100 / (1 + 0.5 + 0.25 + 0.125), 10);
  });

  it('is the plain mean when nothing changes, and 0 for clean air', () => {
    expect(nowcast(Array(12).fill(7))).toBe(7);
    expect(nowcast([0, 0, 0])).toBe(0);
  });

  it('needs 2 of the 3 most recent hours', () => {
    expect(nowcast([10, null, 12, 14])).toBeCloseTo(nowcast([10, undefined, 12, 14]) ?? Number.NaN, 12);
    expect(nowcast([10, null, null, 14, 15])).toBeUndefined();
    expect(nowcast([null, null, 12])).toBeUndefined();
    expect(nowcast([])).toBeUndefined();
  });

  it('skips missing older hours but keeps their distance in the weights', () => {
    // hours 0, 1 and 3 present, w = 5/20 → 0.5: (20 + 10·0.5 + 5·0.125)/(1 + 0.5 + 0.125)
    expect(nowcast([20, 10, null, 5])).toBeCloseTo((20 + 5 + 0.625) / 1.625, 10);
  });

  it('uses at most 12 hours', () => {
    expect(nowcast([...Array(12).fill(10), 1000])).toBe(10);
  });

  it('always lies between the smallest and largest hour it uses', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: 3, maxLength: 12 }),
        (values) => {
          const v = nowcast(values) ?? Number.NaN;
          expect(v).toBeGreaterThanOrEqual(Math.min(...values) - 1e-9);
          expect(v).toBeLessThanOrEqual(Math.max(...values) + 1e-9);
        },
      ),
    );
  });

  it('computes a NowCast for every hour of a series, undefined where data is too thin', () => {
    const t0 = Date.parse('2025-07-01T00:00:00Z');
    const series = [20, 20, 20].map((value, k) => ({ ts: t0 + k * HOUR, value }));
    series.push({ ts: t0 + 5 * HOUR, value: 40 });
    const points = nowcastSeries(series);
    expect(points.map((p) => p.ts)).toEqual([0, 1, 2, 3, 4, 5].map((k) => t0 + k * HOUR));
    expect(points.map((p) => p.value)).toEqual([undefined, 20, 20, 20, undefined, undefined]);
  });
});
