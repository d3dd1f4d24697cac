import { UcapError } from '../errors.ts';

/**
 * Mixing ratio ↔ mass concentration for the gaseous pollutants, by the ideal-gas law at the
 * reference state each standard states (air-quality-indices.md §1.3 "Common unit conversions";
 * limit-values.md §2.5 "reference state"). 1 ppb ↔ M / V_m µg/m³ with V_m in L/mol; the same
 * factor links ppm and mg/m³ (CO).
 */
export const GASES = ['no2', 'o3', 'so2', 'co'] as const;
export type Gas = (typeof GASES)[number];

/** Molar masses, g/mol (IUPAC standard atomic weights). */
export const MOLAR_MASS: Readonly<Record<Gas, number>> = Object.freeze({
  no2: 46.0055,
  o3: 47.9982,
  so2: 64.066,
  co: 28.0101,
});

export interface ReferenceState {
  readonly temperatureK: number;
  readonly pressurePa: number;
  readonly source: string;
}

export const REFERENCE_STATES = Object.freeze({
  /** US EPA: 25 °C, 1 atm — gives 1 ppb NO2 = 1.88, O3 = 1.96, SO2 = 2.62 µg/m³, 1 ppm CO = 1.145 mg/m³. */
  epa: { temperatureK: 298.15, pressurePa: 101_325, source: 'air-quality-indices.md §1.3 (EPA, 25 °C)' },
  /** EU: gases at 20 °C (molar volume ≈ 24.04–24.06 L/mol). */
  eu: { temperatureK: 293.15, pressurePa: 101_325, source: 'air-quality-indices.md §1.3 (EU, 20 °C)' },
  /** China GB 3095 (since the 2018 amendment, and 2026 §4.3): 298.15 K, 1013.25 hPa. */
  china: {
    temperatureK: 298.15,
    pressurePa: 101_325,
    source: 'limit-values.md §2.5 (298.15 K, 1013.25 hPa)',
  },
}) satisfies Record<string, ReferenceState>;
export type ReferenceStateId = keyof typeof REFERENCE_STATES;

const GAS_CONSTANT = 8.314_462_618; // J/(mol·K), CODATA 2018 exact

/** Molar volume in L/mol at a reference state. */
export function molarVolumeLitres(state: ReferenceState): number {
  return ((GAS_CONSTANT * state.temperatureK) / state.pressurePa) * 1000;
}

/** µg/m³ per ppb (equivalently mg/m³ per ppm). */
export function massPerMixingRatio(gas: Gas, state: ReferenceStateId | ReferenceState = 'epa'): number {
  const s = typeof state === 'string' ? REFERENCE_STATES[state] : state;
  if (!s) throw new UcapError('AQ_INVALID_INPUT', `unknown reference state "${String(state)}"`);
  return MOLAR_MASS[gas] / molarVolumeLitres(s);
}

export function ugm3ToPpb(gas: Gas, ugm3: number, state: ReferenceStateId | ReferenceState = 'epa'): number {
  return ugm3 / massPerMixingRatio(gas, state);
}

export function ppbToUgm3(gas: Gas, ppb: number, state: ReferenceStateId | ReferenceState = 'epa'): number {
  return ppb * massPerMixingRatio(gas, state);
}

/** For CO, whose canonical unit is mg/m³. */
export function mgm3ToPpm(gas: Gas, mgm3: number, state: ReferenceStateId | ReferenceState = 'epa'): number {
  return mgm3 / massPerMixingRatio(gas, state);
}

export function ppmToMgm3(gas: Gas, ppm: number, state: ReferenceStateId | ReferenceState = 'epa'): number {
  return ppm * massPerMixingRatio(gas, state);
}
