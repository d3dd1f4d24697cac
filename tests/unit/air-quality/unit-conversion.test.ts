import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GASES,
  massPerMixingRatio,
  mgm3ToPpm,
  molarVolumeLitres,
  ppbToUgm3,
  ppmToMgm3,
  REFERENCE_STATES,
  ugm3ToPpb,
} from '../../../domain/gas-conversion.ts';

describe('unit conversion at the reference states', () => {
  it('matches the EPA factors at 25 °C quoted by the reference (§1.3)', () => {
    expect(massPerMixingRatio('no2', 'epa')).toBeCloseTo(1.88, 2);
    expect(massPerMixingRatio('o3', 'epa')).toBeCloseTo(1.96, 2);
    expect(massPerMixingRatio('so2', 'epa')).toBeCloseTo(2.62, 2);
    expect(massPerMixingRatio('co', 'epa')).toBeCloseTo(1.145, 3);
  });

  it('uses a molar volume of about 24.45 L/mol at 25 °C and 24.04–24.06 at 20 °C', () => {
    expect(molarVolumeLitres(REFERENCE_STATES.epa)).toBeCloseTo(24.465, 2);
    expect(molarVolumeLitres(REFERENCE_STATES.eu)).toBeGreaterThan(24.03);
    expect(molarVolumeLitres(REFERENCE_STATES.eu)).toBeLessThan(24.07);
  });

  it('gives more µg/m³ per ppb at the colder EU state than at 25 °C', () => {
    expect(ppbToUgm3('o3', 100, 'eu')).toBeCloseTo(199.5, 0);
    expect(ppbToUgm3('o3', 100, 'epa')).toBeCloseTo(196.2, 0);
    expect(ppbToUgm3('o3', 100, 'china')).toBe(ppbToUgm3('o3', 100, 'epa'));
  });

  it('converts CO between mg/m³ and ppm with the same factor', () => {
    expect(mgm3ToPpm('co', 10)).toBeCloseTo(8.73, 2);
    expect(ppmToMgm3('co', 9.4)).toBeCloseTo(10.76, 2);
  });

  it('round-trips every gas at every reference state', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...GASES),
        fc.constantFrom('epa', 'eu', 'china') as fc.Arbitrary<'epa' | 'eu' | 'china'>,
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        (gas, state, ugm3) => {
          expect(ppbToUgm3(gas, ugm3ToPpb(gas, ugm3, state), state)).toBeCloseTo(ugm3, 6);
        },
      ),
    );
  });
});
