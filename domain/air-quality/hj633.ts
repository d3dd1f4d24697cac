import { UcapError } from '../errors.ts';
import {
  HJ633_LEVELS,
  HJ633_MEASURE_POLLUTANT,
  HJ633_MEASURES,
  HJ633_PRIMARY_POLLUTANT_ABOVE,
  HJ633_REPORTS,
  HJ633_TABLES,
  HJ633_VERSIONS,
  type Hj633Level,
  type Hj633Measure,
  type Hj633Report,
  type Hj633Table,
  type Hj633Version,
  IAQI_NODES,
} from './hj633-tables.ts';
import { localDateKey } from './local-calendar.ts';
import type { NotComputed } from './not-computed.ts';
import { type AqPollutant, assertConcentration } from './pollutants.ts';
import {
  ceilIndex,
  findSegment,
  interpolate,
  nodesToSegments,
  roundHalfEven,
  type Segment,
} from './sub-index.ts';

/** Concentrations per measure: µg/m³, CO mg/m³ (the canonical units, no conversion needed). */
export type Hj633Input = Partial<Record<Hj633Measure, number>>;

export interface Hj633Options {
  /** Table version; when absent it is chosen from `observedAt`. */
  readonly version?: Hj633Version;
  /** Epoch ms of the observation (hour start, or any instant of the reported day). */
  readonly observedAt?: number;
  /** Which measures make up the AQI; when absent every given measure counts. */
  readonly report?: Hj633Report;
  /** Round PM to integers (half-to-even) before lookup; off unless asked for (see HJ633_TABLES). */
  readonly roundPm?: boolean;
}

/** Why an IAQI is not the plain table lookup. */
export type Hj633Rule =
  | 'above-table-uses-other-measure'
  | 'above-table-fixed'
  | 'above-table-no-fallback'
  | 'above-scale-capped';

export interface Hj633SubIndex {
  readonly measure: Hj633Measure;
  readonly pollutant: AqPollutant;
  /** The concentration looked up (after PM rounding where the version asks for it). */
  readonly concentration: number;
  /** Rounded-up IAQI; null when a rule needs a measure that was not given. */
  readonly iaqi: number | null;
  /** Whether this IAQI enters the AQI (false for fallback-only measures of a report). */
  readonly counted: boolean;
  readonly rule?: Hj633Rule;
}

export interface Hj633Result {
  readonly standard: 'hj633';
  readonly version: Hj633Version;
  readonly report: Hj633Report | 'custom';
  /** Max counted IAQI; null when none could be computed. */
  readonly aqi: number | null;
  readonly level: Hj633Level | null;
  /** Measures whose IAQI equals the AQI, when AQI > 50 (all of them on a tie). */
  readonly primaryPollutants: readonly Hj633Measure[];
  /** Counted measures with IAQI > 100 (HJ 633-2012 超标污染物; always empty for 2026). */
  readonly nonAttainmentPollutants: readonly Hj633Measure[];
  readonly subIndices: readonly Hj633SubIndex[];
  /** True when a counted measure's IAQI could not be computed (see `notComputed`). */
  readonly incomplete: boolean;
  readonly notComputed: readonly NotComputed[];
}

export function isHj633Version(value: string): value is Hj633Version {
  return (HJ633_VERSIONS as readonly string[]).includes(value);
}

/** The version in force on the Asia/Shanghai calendar day of an instant. */
export function hj633VersionFor(observedAt: number): Hj633Version {
  const newest = HJ633_TABLES['2026'].validFrom ?? '';
  return localDateKey(observedAt, 'Asia/Shanghai') >= newest ? '2026' : '2012';
}

export function hj633Level(aqi: number): Hj633Level {
  const level = HJ633_LEVELS.find((l) => aqi <= l.max) ?? HJ633_LEVELS[HJ633_LEVELS.length - 1];
  if (!level) throw new UcapError('AQ_INVALID_INPUT', 'HJ 633 level table is empty');
  return level;
}

const segmentCache = new Map<string, Segment[]>();

function segmentsOf(table: Hj633Table, measure: Hj633Measure): Segment[] {
  const key = `${table.version}:${measure}`;
  let segments = segmentCache.get(key);
  if (!segments) {
    segments = nodesToSegments(table.breakpoints[measure], IAQI_NODES);
    segmentCache.set(key, segments);
  }
  return segments;
}

interface Lookup {
  readonly iaqi: number | null;
  readonly rule?: Hj633Rule;
}

/** Plain table lookup, with the cap at 500 above the last node of a full column. */
function lookup(table: Hj633Table, measure: Hj633Measure, c: number): Lookup {
  const segments = segmentsOf(table, measure);
  const segment = findSegment(segments, c);
  if (segment) return { iaqi: ceilIndex(interpolate(segment, c)) };
  return { iaqi: IAQI_NODES[IAQI_NODES.length - 1] ?? 500, rule: 'above-scale-capped' };
}

function prepare(measure: Hj633Measure, c: number, roundPm: boolean): number {
  assertConcentration(c, `HJ 633 ${measure}`);
  return roundPm && (measure === 'pm10' || measure === 'pm25') ? roundHalfEven(c) : c;
}

/** IAQI of one measure, applying the version's above-table rules (which may read another measure). */
function iaqiOf(table: Hj633Table, measure: Hj633Measure, input: Hj633Input, roundPm: boolean): Lookup {
  const c = prepare(measure, input[measure] ?? 0, roundPm);
  const nodes = table.breakpoints[measure];
  const top = nodes[nodes.length - 1] ?? 0;
  if ((measure === 'so2_1h' || measure === 'o3_8h') && c > top) {
    const rule = table.aboveTable[measure];
    if (rule.kind === 'fixed') return { iaqi: rule.iaqi, rule: 'above-table-fixed' };
    const other = input[rule.measure];
    if (other === undefined) return { iaqi: null, rule: 'above-table-no-fallback' };
    const fallback = lookup(table, rule.measure, prepare(rule.measure, other, roundPm));
    return { iaqi: fallback.iaqi, rule: 'above-table-uses-other-measure' };
  }
  return lookup(table, measure, c);
}

/**
 * One IAQI, exactly as computeHj633Aqi computes it for that measure. `related` supplies the
 * measure an above-table rule may need (SO2 24-h for SO2 1-h, O3 1-h for O3 8-h under 2012).
 */
export function hj633Iaqi(
  measure: Hj633Measure,
  concentration: number,
  options: Hj633Options & { readonly related?: Hj633Input } = {},
): Hj633SubIndex {
  const { related, report: _report, ...rest } = options;
  const result = computeHj633Aqi({ ...related, [measure]: concentration }, rest);
  const sub = result.subIndices.find((s) => s.measure === measure);
  if (!sub) throw new UcapError('AQ_INVALID_INPUT', `no IAQI for ${measure}`);
  return sub;
}

function resolveVersion(options: Hj633Options): Hj633Version {
  if (options.version !== undefined) {
    if (!isHj633Version(options.version)) {
      throw new UcapError('AQ_INVALID_INPUT', `unknown HJ 633 version "${options.version}"`);
    }
    return options.version;
  }
  if (options.observedAt === undefined || !Number.isFinite(options.observedAt)) {
    throw new UcapError('AQ_INVALID_INPUT', 'HJ 633 needs a version or the observation time to choose one');
  }
  return hj633VersionFor(options.observedAt);
}

/** China AQI: IAQI per measure (rounded up), AQI = max, level, primary pollutant(s). */
export function computeHj633Aqi(input: Hj633Input, options: Hj633Options = {}): Hj633Result {
  const version = resolveVersion(options);
  const table = HJ633_TABLES[version];
  const roundPm = options.roundPm ?? table.pmRounding === 'half-even-integer';
  const report = options.report ? HJ633_REPORTS[version][options.report] : undefined;
  const counted: ReadonlySet<Hj633Measure> = new Set(report ? report.counted : HJ633_MEASURES);
  const used: ReadonlySet<Hj633Measure> = new Set(
    report ? [...report.counted, ...report.fallbacks] : HJ633_MEASURES,
  );
  const subIndices: Hj633SubIndex[] = [];
  for (const measure of HJ633_MEASURES) {
    const c = input[measure];
    if (c === undefined || !used.has(measure)) continue;
    const { iaqi, rule } = iaqiOf(table, measure, input, roundPm);
    subIndices.push({
      measure,
      pollutant: HJ633_MEASURE_POLLUTANT[measure],
      concentration: prepare(measure, c, roundPm),
      iaqi,
      counted: counted.has(measure),
      ...(rule ? { rule } : {}),
    });
  }
  return summarise(table, options.report ?? 'custom', subIndices);
}

function summarise(
  table: Hj633Table,
  report: Hj633Report | 'custom',
  subIndices: Hj633SubIndex[],
): Hj633Result {
  const scored = subIndices.filter(
    (s): s is Hj633SubIndex & { iaqi: number } => s.counted && s.iaqi !== null,
  );
  const aqi = scored.length === 0 ? null : Math.max(...scored.map((s) => s.iaqi));
  const above = table.nonAttainmentAbove;
  const notComputed = notComputedOf(table, subIndices);
  return {
    standard: 'hj633',
    version: table.version,
    report,
    aqi,
    level: aqi === null ? null : hj633Level(aqi),
    primaryPollutants:
      aqi !== null && aqi > HJ633_PRIMARY_POLLUTANT_ABOVE
        ? scored.filter((s) => s.iaqi === aqi).map((s) => s.measure)
        : [],
    nonAttainmentPollutants: above === null ? [] : scored.filter((s) => s.iaqi > above).map((s) => s.measure),
    subIndices,
    incomplete: notComputed.length > 0,
    notComputed,
  };
}

/** Why a counted IAQI is missing: the above-table rule needs a measure that was not given. */
function notComputedOf(table: Hj633Table, subIndices: readonly Hj633SubIndex[]): NotComputed[] {
  return subIndices.flatMap((s) => {
    if (!s.counted || s.iaqi !== null) return [];
    const rule = s.measure === 'so2_1h' || s.measure === 'o3_8h' ? table.aboveTable[s.measure] : undefined;
    const other = rule?.kind === 'use-measure' ? rule.measure : 'another measure';
    const note = s.measure === 'so2_1h' ? '(a)' : '(b)';
    const top = table.breakpoints[s.measure].at(-1);
    return [
      {
        measure: s.measure,
        pollutant: s.pollutant,
        reason: `${s.measure} is ${s.concentration}, above the last breakpoint (${top}) of its column; HJ 633-${table.version} Table 1 note ${note} then takes the IAQI from ${other}, which was not available`,
      },
    ];
  });
}
