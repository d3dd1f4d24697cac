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
 * Gas amount fractions become mass concentrations at the EU reference conditions: Directive
 * 2008/50/EC Annex VI standardises gas volumes at 293 K and 101.3 kPa. With 20 °C = 293.15 K,
 * 101.325 kPa and R = 8.314462618 J/(mol·K) the molar volume is Vm = RT/p = 24.055 L/mol, so
 * 1 ppb = M/24.055 µg/m³ (NO2 1.912, O3 1.995, SO2 2.663) and 1 ppm CO = 1.164 mg/m³.
 * (../shared/reference/air-quality-indices.md §1.3 quotes 24.04 L/mol for 20 °C; the literal
 * 293 K / 101.3 kPa gives 24.049. The spread is < 0.07 %, far below any sensor's uncertainty.
 * The US EPA's 25 °C factors — NO2 1.88 — are deliberately not used: our limits are EU and Chinese.)
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

/** Molar volume of an ideal gas at 293.15 K and 101.325 kPa, in L/mol (see the header comment). */
export const EU_REFERENCE_MOLAR_VOLUME = (8.314462618 * 293.15) / 101.325;

/** Molar masses in g/mol from IUPAC standard atomic weights (N 14.007, O 15.999, S 32.06, C 12.011). */
export const MOLAR_MASS: Readonly<Partial<Record<MetricId, number>>> = {
  no2: 46.005,
  o3: 47.997,
  so2: 64.058,
  co: 28.01,
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
  const molarMass = MOLAR_MASS[metric];
  return molarMass === undefined ? undefined : molarMass / EU_REFERENCE_MOLAR_VOLUME;
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
