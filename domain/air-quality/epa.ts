import { UcapError } from '../errors.ts';
import { mgm3ToPpm, ugm3ToPpb } from '../gas-conversion.ts';
import {
  EPA_CATEGORIES,
  EPA_MEASURE_POLLUTANT,
  EPA_MEASURES,
  EPA_TABLES,
  EPA_VERSIONS,
  type EpaCategory,
  type EpaColumn,
  type EpaMeasure,
  type EpaTable,
  type EpaUnit,
  type EpaVersion,
  LATEST_EPA_VERSION,
} from './epa-tables.ts';
import type { NotComputed } from './not-computed.ts';
import { type AqPollutant, assertConcentration } from './pollutants.ts';
import { findSegment, interpolate, roundIndex, truncateTo } from './sub-index.ts';

/**
 * Concentrations per measure. With `units: 'canonical'` (default) they are ours — µg/m³, CO mg/m³ —
 * and gases are converted at 25 °C; with `units: 'epa'` they are already ppm/ppb as the table reads.
 * PM is the 24-hour mean for a daily AQI or the NowCast for an hourly one.
 */
export type EpaInput = Partial<Record<EpaMeasure, number>>;

export interface EpaOptions {
  readonly units?: 'canonical' | 'epa';
  /** Table version; when absent it is chosen from `date`, else the newest. */
  readonly version?: EpaVersion;
  /** Local date (YYYY-MM-DD) of the observation: picks the table in force that day. */
  readonly date?: string;
}

export type EpaRule =
  | 'o3-8h-above-table-uses-1h'
  | 'o3-1h-below-table'
  | 'so2-1h-above-table-uses-24h'
  | 'so2-24h-fallback-only'
  | 'above-table-no-fallback'
  | 'beyond-aqi-capped';

export interface EpaSubIndex {
  readonly measure: EpaMeasure;
  readonly pollutant: AqPollutant;
  /** Truncated concentration in the table's unit. */
  readonly concentration: number;
  readonly unit: EpaUnit;
  readonly aqi: number | null;
  /** Whether this value enters the overall AQI. */
  readonly counted: boolean;
  readonly rule?: EpaRule;
}

export interface EpaResult {
  readonly standard: 'epa';
  readonly version: EpaVersion;
  readonly aqi: number | null;
  readonly category: EpaCategory | null;
  /** Measures whose AQI equals the overall AQI (EPA "critical pollutant"; all on a tie). */
  readonly dominantPollutants: readonly EpaMeasure[];
  readonly subIndices: readonly EpaSubIndex[];
  /** True when a measure's AQI could not be computed (see `notComputed`). */
  readonly incomplete: boolean;
  readonly notComputed: readonly NotComputed[];
}

export function isEpaVersion(value: string): value is EpaVersion {
  return (EPA_VERSIONS as readonly string[]).includes(value);
}

/** The table in force on a local date: the 2024 PM2.5 revision applies from 2024-05-06. */
export function epaVersionFor(date: string): EpaVersion {
  const newest = EPA_TABLES[LATEST_EPA_VERSION].validFrom ?? '';
  return date >= newest ? LATEST_EPA_VERSION : '2018';
}

function resolveTable(options: EpaOptions): EpaTable {
  const { version, date } = options;
  if (version !== undefined) {
    if (!isEpaVersion(version))
      throw new UcapError('AQ_INVALID_INPUT', `unknown EPA AQI version "${version}"`);
    return EPA_TABLES[version];
  }
  return EPA_TABLES[date === undefined ? LATEST_EPA_VERSION : epaVersionFor(date)];
}

export function epaCategory(aqi: number): EpaCategory {
  const category = EPA_CATEGORIES.find((c) => aqi <= c.max) ?? EPA_CATEGORIES[EPA_CATEGORIES.length - 1];
  if (!category) throw new UcapError('AQ_INVALID_INPUT', 'EPA category table is empty');
  return category;
}

/** Converts one of our concentrations to the unit of the measure's EPA column. */
export function toEpaUnits(measure: EpaMeasure, value: number): number {
  switch (EPA_MEASURE_POLLUTANT[measure]) {
    case 'o3':
      return ugm3ToPpb('o3', value) / 1000;
    case 'co':
      return mgm3ToPpm('co', value);
    case 'so2':
      return ugm3ToPpb('so2', value);
    case 'no2':
      return ugm3ToPpb('no2', value);
    default:
      return value;
  }
}

interface Lookup {
  readonly aqi: number | null;
  readonly rule?: EpaRule;
}

function lookup(column: EpaColumn, c: number): Lookup {
  const row = findSegment(column.rows, c);
  if (row) return { aqi: roundIndex(interpolate(row, c)) };
  const last = column.rows[column.rows.length - 1];
  if (last && c > last.cHi) return { aqi: last.iHi, rule: 'beyond-aqi-capped' };
  return { aqi: null };
}

/** The AQI of one measure with the TAD's rules for O3 8-h/1-h and SO2 1-h/24-h. */
function measureAqi(
  TABLE: EpaTable,
  measure: EpaMeasure,
  c: Readonly<Partial<Record<EpaMeasure, number>>>,
): Lookup {
  const value = c[measure] ?? 0;
  const column = TABLE.columns[measure];
  const top = column.rows[column.rows.length - 1]?.cHi ?? 0;
  if (measure === 'o3_8h' && value > top)
    return aboveTable(c.o3_1h, TABLE.columns.o3_1h, 'o3-8h-above-table-uses-1h');
  if (measure === 'so2_1h' && value > top) {
    const fallback = aboveTable(c.so2_24h, TABLE.columns.so2_24h, 'so2-1h-above-table-uses-24h');
    // Below 305 ppb the 24-hour rows are blank; the 1-hour table has already reached 200.
    return fallback.aqi === null && c.so2_24h !== undefined
      ? { aqi: 200, rule: fallback.rule ?? 'so2-1h-above-table-uses-24h' }
      : fallback;
  }
  if (measure === 'o3_1h' && value < (column.rows[0]?.cLo ?? 0))
    return { aqi: null, rule: 'o3-1h-below-table' };
  if (measure === 'so2_24h') return { ...lookup(column, value), rule: 'so2-24h-fallback-only' };
  return lookup(column, value);
}

function aboveTable(other: number | undefined, column: EpaColumn, rule: EpaRule): Lookup {
  if (other === undefined) return { aqi: null, rule: 'above-table-no-fallback' };
  return { aqi: lookup(column, other).aqi, rule };
}

// EPA-454/B-24-002 (and -18-007), notes of the breakpoint table: 8-hour O3 does not define AQI above 300, the
// 1-hour value does; 1-hour SO2 does not define AQI above 200, the 24-hour value does.
const NEEDS: Partial<Record<EpaMeasure, string>> = {
  o3_8h: 'above 0.200 ppm the 8-hour O3 value defines no AQI and the 1-hour O3 value (o3_1h) must be used',
  so2_1h: 'above 304 ppb the 1-hour SO2 value defines no AQI and the 24-hour SO2 mean (so2_24h) must be used',
};

function notComputedOf(table: EpaTable, subIndices: readonly EpaSubIndex[]): NotComputed[] {
  return subIndices.flatMap((s) =>
    s.rule === 'above-table-no-fallback'
      ? [
          {
            measure: s.measure,
            pollutant: s.pollutant,
            reason: `${s.measure} is ${s.concentration} ${s.unit}: ${NEEDS[s.measure] ?? 'the table has no row for it'} (${table.source.documents[0] ?? table.name}, AQI breakpoint table notes), and it was not available`,
          },
        ]
      : [],
  );
}

/** US EPA AQI: truncate each concentration, look it up, round the index; AQI = max. */
export function computeEpaAqi(input: EpaInput, options: EpaOptions = {}): EpaResult {
  const TABLE = resolveTable(options);
  const truncated: Partial<Record<EpaMeasure, number>> = {};
  for (const measure of EPA_MEASURES) {
    const raw = input[measure];
    if (raw === undefined) continue;
    assertConcentration(raw, `EPA ${measure}`);
    const native = options.units === 'epa' ? raw : toEpaUnits(measure, raw);
    truncated[measure] = truncateTo(native, TABLE.columns[measure].truncateDecimals);
  }
  const subIndices: EpaSubIndex[] = [];
  for (const measure of EPA_MEASURES) {
    const concentration = truncated[measure];
    if (concentration === undefined) continue;
    const { aqi, rule } = measureAqi(TABLE, measure, truncated);
    subIndices.push({
      measure,
      pollutant: EPA_MEASURE_POLLUTANT[measure],
      concentration,
      unit: TABLE.columns[measure].unit,
      aqi,
      counted: measure !== 'so2_24h' && aqi !== null,
      ...(rule ? { rule } : {}),
    });
  }
  const counted = subIndices.filter((s): s is EpaSubIndex & { aqi: number } => s.counted && s.aqi !== null);
  const aqi = counted.length === 0 ? null : Math.max(...counted.map((s) => s.aqi));
  const notComputed = notComputedOf(TABLE, subIndices);
  return {
    standard: 'epa',
    version: TABLE.version,
    aqi,
    category: aqi === null ? null : epaCategory(aqi),
    dominantPollutants: counted.filter((s) => s.aqi === aqi).map((s) => s.measure),
    subIndices,
    incomplete: notComputed.length > 0,
    notComputed,
  };
}

/** One measure's AQI from a concentration already in the table's unit (for tables and tests). */
export function epaSubIndex(
  measure: EpaMeasure,
  concentration: number,
  related: EpaInput = {},
  version: EpaVersion = LATEST_EPA_VERSION,
): EpaSubIndex {
  const result = computeEpaAqi({ ...related, [measure]: concentration }, { units: 'epa', version });
  const sub = result.subIndices.find((s) => s.measure === measure);
  if (!sub) throw new UcapError('AQ_INVALID_INPUT', `no EPA sub-index for ${measure}`);
  return sub;
}
