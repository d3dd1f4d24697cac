import { UcapError } from './errors.ts';

/**
 * The one gas conversion of the project: mixing ratio ↔ mass concentration for the gaseous
 * pollutants, by the ideal-gas law at the reference state each standard states. 1 ppb ↔ M / V_m µg/m³
 * with V_m in L/mol; the same factor links ppm and mg/m³ (CO). Payload units (domain/units.ts) and
 * the US EPA index both convert here.
 */
export const GASES = ['no2', 'o3', 'so2', 'co'] as const;
export type Gas = (typeof GASES)[number];

/**
 * Molar masses, g/mol, from the IUPAC abridged standard atomic weights (CIAAW 2021: N 14.007,
 * O 15.999, S 32.06, C 12.011).
 */
export const MOLAR_MASS: Readonly<Record<Gas, number>> = Object.freeze({
  no2: 46.005,
  o3: 47.997,
  so2: 64.058,
  co: 28.01,
});

export function isGas(value: string): value is Gas {
  return (GASES as readonly string[]).includes(value);
}

export interface ReferenceState {
  readonly temperatureK: number;
  readonly pressurePa: number;
  readonly source: string;
}

export const REFERENCE_STATES = Object.freeze({
  /** US EPA: 25 °C, 1 atm — gives 1 ppb NO2 = 1.88, O3 = 1.96, SO2 = 2.62 µg/m³, 1 ppm CO = 1.145 mg/m³. */
  epa: {
    temperatureK: 298.15,
    pressurePa: 101_325,
    source: 'US EPA, 40 CFR Part 50 (concentrations at 25 °C and 760 mm Hg)',
  },
  /**
   * EU: Directive 2008/50/EC Annex VI standardises gas volumes at 293 K and 101.3 kPa; with 20 °C
   * = 293.15 K and 101.325 kPa the molar volume is 24.055 L/mol (NO2 1.912, O3 1.995, SO2 2.663 µg/m³
   * per ppb; CO 1.164 mg/m³ per ppm). The spread against the literal 293 K / 101.3 kPa is < 0.07 %.
   */
  eu: {
    temperatureK: 293.15,
    pressurePa: 101_325,
    source: 'Directive 2008/50/EC Annex VI (293 K, 101.3 kPa)',
  },
  /** China GB 3095-2012 (as amended in 2018) and GB 3095-2026: 298.15 K, 1013.25 hPa. */
  china: {
    temperatureK: 298.15,
    pressurePa: 101_325,
    source: 'GB 3095-2012 Amendment No. 1 (2018) (298.15 K, 1013.25 hPa)',
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
