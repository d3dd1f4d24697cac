import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { molarVolumeLitres, REFERENCE_STATES } from '../../../domain/gas-conversion.ts';
import { METRIC_IDS, METRICS, type MetricId } from '../../../domain/metrics.ts';
import {
  acceptedUnits,
  canonicalUnit,
  fromCanonical,
  microgramsPerCubicMetrePerPpb,
  toCanonical,
  UNIT_IDS,
  type UnitId,
} from '../../../domain/units.ts';

function convert(metric: MetricId, value: number, unit: UnitId): number {
  const result = toCanonical(metric, value, unit);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

const PAIRS = METRIC_IDS.flatMap((metric) => acceptedUnits(metric).map((unit) => [metric, unit] as const));
const pair = fc.constantFrom(...PAIRS);
// Magnitudes a real payload could carry, positive and negative (temperatures, offsets).
const magnitude = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

describe('unit conversion anchors', () => {
  it('names the metric catalog unit of every metric as a known unit', () => {
    for (const metric of METRIC_IDS) expect(canonicalUnit(metric)).toBe(METRICS[metric].unit);
  });

  it('uses the EU reference molar volume (293.15 K, 101.325 kPa)', () => {
    expect(molarVolumeLitres(REFERENCE_STATES.eu)).toBeCloseTo(24.055, 3);
  });

  it.each([
    // EU factors at 20 °C as commonly published: NO2 1.91, O3 2.00, SO2 2.66 µg/m³ per ppb; CO 1.16 mg/m³ per ppm.
    ['no2', 1.912],
    ['o3', 1.995],
    ['so2', 2.663],
    ['co', 1.164],
  ] as const)('converts 1 ppb/ppm of %s with the EU factor %f', (metric, factor) => {
    const unit = metric === 'co' ? 'ppm' : 'ppb';
    expect(convert(metric, 1, unit)).toBeCloseTo(factor, 3);
    expect(microgramsPerCubicMetrePerPpb(metric)).toBeDefined();
  });

  it.each([
    ['temperature', 32, '°F', 0],
    ['temperature', 212, '°F', 100],
    ['temperature', -40, '°F', -40],
    ['temperature', 273.15, 'K', 0],
    ['pressure', 101325, 'Pa', 1013.25],
    ['pressure', 101.325, 'kPa', 1013.25],
    ['humidity', 0.54, 'fraction', 54],
    ['pm25', 0.012, 'mg/m³', 12],
    ['pm10', 2e-8, 'kg/m³', 20],
    ['co', 500, 'µg/m³', 0.5],
    ['no2', 0.021, 'ppm', 40.16214],
  ] as const)('%s: %f %s is %f in the canonical unit', (metric, value, unit, expected) => {
    expect(convert(metric, value, unit)).toBeCloseTo(expected, 4);
  });

  it('keeps no binary noise in converted values', () => {
    expect(convert('pressure', 101325, 'Pa')).toBe(1013.25);
    expect(convert('humidity', 0.07, 'fraction')).toBe(7);
  });

  it.each([
    ['pm25', 'ppb'],
    ['pm10', '°C'],
    ['temperature', '%'],
    ['humidity', 'K'],
    ['pressure', 'dB(A)'],
    ['noise_laeq', 'Pa'],
  ] as const)('refuses %s in %s, naming the units it accepts', (metric, unit) => {
    const result = toCanonical(metric, 1, unit);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(acceptedUnits(metric).join(', '));
  });
});

describe('unit conversion properties', () => {
  it('accepts exactly the units acceptedUnits lists, for every metric', () => {
    for (const metric of METRIC_IDS) {
      const ok = UNIT_IDS.filter((unit) => toCanonical(metric, 1, unit).ok);
      expect(ok).toEqual(acceptedUnits(metric));
    }
  });

  it('round-trips: fromCanonical(toCanonical(x)) = x', () => {
    fc.assert(
      fc.property(pair, magnitude, ([metric, unit], x) => {
        const there = convert(metric, x, unit);
        const back = fromCanonical(metric, there, unit);
        return back.ok && close(back.value, x);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips the other way: toCanonical(fromCanonical(c)) = c', () => {
    fc.assert(
      fc.property(pair, magnitude, ([metric, unit], c) => {
        const out = fromCanonical(metric, c, unit);
        return out.ok && close(convert(metric, out.value, unit), c);
      }),
      { numRuns: 2000 },
    );
  });

  it('is monotonic: a larger reading never converts to a smaller one', () => {
    fc.assert(
      fc.property(pair, magnitude, magnitude, ([metric, unit], a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        return convert(metric, lo, unit) <= convert(metric, hi, unit);
      }),
      { numRuns: 2000 },
    );
  });

  it('is linear for every scale-only unit (all but °F and K): doubling the reading doubles the result', () => {
    const scaleOnly = PAIRS.filter(([, unit]) => unit !== '°F' && unit !== 'K');
    fc.assert(
      fc.property(fc.constantFrom(...scaleOnly), magnitude, ([metric, unit], x) =>
        close(convert(metric, 2 * x, unit), 2 * convert(metric, x, unit)),
      ),
      { numRuns: 1000 },
    );
  });

  it('agrees with itself across prefixes: 1 ppm = 1000 ppb, 1 mg/m³ = 1000 µg/m³, 1 kPa = 1000 Pa', () => {
    const gases = ['no2', 'o3', 'so2', 'co'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...gases), magnitude, (metric, x) => {
        return (
          close(convert(metric, x, 'ppm'), convert(metric, 1000 * x, 'ppb')) &&
          close(convert(metric, x, 'mg/m³'), convert(metric, 1000 * x, 'µg/m³')) &&
          close(convert('pressure', x, 'kPa'), convert('pressure', 1000 * x, 'Pa'))
        );
      }),
      { numRuns: 1000 },
    );
  });
});
