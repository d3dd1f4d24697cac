import { isGas, massPerMixingRatio } from './gas-conversion.ts';
import { METRICS, type MetricId } from './metrics.ts';

/**
 * Units the payload adapters understand, and their conversion to each metric's canonical unit
 * (domain/metrics.ts). Every adapter maps its own unit vocabulary (SenML symbols, UN/CEFACT codes,
 * implied units of fixed fields) onto these ids; nothing else converts numbers.
 *
 * | unit       | dimension          | to the dimension's base            | used by                     |
 * |------------|--------------------|------------------------------------|-----------------------------|
 * | µg/m³      | mass concentration | × 1 (base)                         | PM, NO2, O3, SO2            |
 * | mg/m³      | mass concentration | × 1000 µg/m³                       | CO (canonical)              |
 * | kg/m³      | mass concentration | × 10^9 µg/m³                       | SenML primary unit          |
 * | ppb        | amount fraction    | × 1 (base); → µg/m³ × M / Vm       | NO2, O3, SO2, CO            |
 * | ppm        | amount fraction    | × 1000 ppb                         | NO2, O3, SO2, CO            |
 * | °C         | temperature        | × 1 (base)                         | temperature                 |
 * | °F         | temperature        | (x − 32) × 5/9 °C                  | temperature                 |
 * | K          | temperature        | x − 273.15 °C                      | temperature                 |
 * | %          | ratio              | × 1 (base)                         | relative humidity           |
 * | fraction   | ratio              | × 100 %  (0..1, e.g. FIWARE)       | relative humidity           |
 * | Pa         | pressure           | ÷ 100 hPa                          | pressure                    |
 * | hPa        | pressure           | × 1 (base; = mbar)                 | pressure                    |
 * | kPa        | pressure           | × 10 hPa                           | pressure                    |
 * | dB(A)      | sound level        | × 1 (base)                         | noise LAeq                  |
 *
 * Gas amount fractions become mass concentrations at the EU reference state of gas-conversion.ts
 * (Directive 2008/50/EC Annex VI: 293 K, 101.3 kPa): our limits are EU and Chinese, so the US EPA's
 * 25 °C factors are deliberately not used for payloads.
 */
export const UNIT_IDS = [
  'µg/m³',
  'mg/m³',
  'kg/m³',
  'ppb',
  'ppm',
  '°C',
  '°F',
  'K',
  '%',
  'fraction',
  'Pa',
  'hPa',
  'kPa',
  'dB(A)',
] as const;
export type UnitId = (typeof UNIT_IDS)[number];

type Dimension =
  | 'mass_concentration'
  | 'amount_fraction'
  | 'temperature'
  | 'ratio'
  | 'pressure'
  | 'sound_level';

/** base = value × scale + offset, in the dimension's base unit (the first unit of each dimension above). */
interface UnitDefinition {
  readonly dimension: Dimension;
  readonly scale: number;
  readonly offset: number;
}

const UNITS: Readonly<Record<UnitId, UnitDefinition>> = {
  'µg/m³': { dimension: 'mass_concentration', scale: 1, offset: 0 },
  'mg/m³': { dimension: 'mass_concentration', scale: 1e3, offset: 0 },
  'kg/m³': { dimension: 'mass_concentration', scale: 1e9, offset: 0 },
  ppb: { dimension: 'amount_fraction', scale: 1, offset: 0 },
  ppm: { dimension: 'amount_fraction', scale: 1e3, offset: 0 },
  '°C': { dimension: 'temperature', scale: 1, offset: 0 },
  '°F': { dimension: 'temperature', scale: 5 / 9, offset: (-32 * 5) / 9 },
  K: { dimension: 'temperature', scale: 1, offset: -273.15 },
  '%': { dimension: 'ratio', scale: 1, offset: 0 },
  fraction: { dimension: 'ratio', scale: 100, offset: 0 },
  Pa: { dimension: 'pressure', scale: 0.01, offset: 0 },
  hPa: { dimension: 'pressure', scale: 1, offset: 0 },
  kPa: { dimension: 'pressure', scale: 10, offset: 0 },
  'dB(A)': { dimension: 'sound_level', scale: 1, offset: 0 },
};

const METRIC_DIMENSIONS: Readonly<Record<MetricId, readonly Dimension[]>> = {
  pm25: ['mass_concentration'],
  pm10: ['mass_concentration'],
  no2: ['mass_concentration', 'amount_fraction'],
  o3: ['mass_concentration', 'amount_fraction'],
  so2: ['mass_concentration', 'amount_fraction'],
  co: ['mass_concentration', 'amount_fraction'],
  noise_laeq: ['sound_level'],
  temperature: ['temperature'],
  humidity: ['ratio'],
  pressure: ['pressure'],
};

export type ConversionResult =
  | { readonly ok: true; readonly value: number }
  | { readonly ok: false; readonly message: string };

const unitIdSet: ReadonlySet<string> = new Set(UNIT_IDS);

export function isUnitId(value: string): value is UnitId {
  return unitIdSet.has(value);
}

/** The metric's canonical unit as a UnitId (the metric catalog's `unit`). */
export function canonicalUnit(metric: MetricId): UnitId {
  const unit = METRICS[metric].unit;
  if (!isUnitId(unit)) throw new Error(`metric catalog unit "${unit}" of ${metric} has no UnitId`);
  return unit;
}

/** Units a value of `metric` may arrive in. */
export function acceptedUnits(metric: MetricId): UnitId[] {
  const dimensions = METRIC_DIMENSIONS[metric];
  return UNIT_IDS.filter((unit) => dimensions.includes(UNITS[unit].dimension));
}

/** µg/m³ per ppb of a gas at the EU reference conditions; undefined for metrics that are not gases. */
export function microgramsPerCubicMetrePerPpb(metric: MetricId): number | undefined {
  return isGas(metric) ? massPerMixingRatio(metric, 'eu') : undefined;
}

/** Converts `value` in `unit` to `metric`'s canonical unit, or says why it cannot. */
export function toCanonical(metric: MetricId, value: number, unit: UnitId): ConversionResult {
  const target = canonicalUnit(metric);
  if (unit === target) return { ok: true, value };
  const bridge = bridgeFactor(metric, unit);
  if (bridge === undefined) return incompatible(metric, unit);
  const def = UNITS[unit];
  const base = (value * def.scale + def.offset) * bridge;
  const out = UNITS[target];
  return { ok: true, value: dropFloatNoise((base - out.offset) / out.scale) };
}

/** Converts a canonical value of `metric` into `unit` (the inverse of toCanonical). */
export function fromCanonical(metric: MetricId, value: number, unit: UnitId): ConversionResult {
  const source = canonicalUnit(metric);
  if (unit === source) return { ok: true, value };
  const bridge = bridgeFactor(metric, unit);
  if (bridge === undefined) return incompatible(metric, unit);
  const from = UNITS[source];
  const base = (value * from.scale + from.offset) / bridge;
  const def = UNITS[unit];
  return { ok: true, value: dropFloatNoise((base - def.offset) / def.scale) };
}

/**
 * Factor from `unit`'s base into the canonical unit's base: 1 within one dimension, µg/m³ per ppb
 * from an amount fraction to a mass concentration; undefined when `unit` cannot measure `metric`.
 */
function bridgeFactor(metric: MetricId, unit: UnitId): number | undefined {
  const dimension = UNITS[unit].dimension;
  if (!METRIC_DIMENSIONS[metric].includes(dimension)) return undefined;
  const canonicalDimension = UNITS[canonicalUnit(metric)].dimension;
  if (dimension === canonicalDimension) return 1;
  return dimension === 'amount_fraction' ? microgramsPerCubicMetrePerPpb(metric) : undefined;
}

function incompatible(metric: MetricId, unit: UnitId): ConversionResult {
  const def = METRICS[metric];
  return {
    ok: false,
    message: `${unit} cannot measure ${def.displayName} (accepted: ${acceptedUnits(metric).join(', ')})`,
  };
}

// 101325 Pa → 1013.2500000000001 hPa is binary noise, not information: keep 12 significant digits.
function dropFloatNoise(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(12)) : value;
}
