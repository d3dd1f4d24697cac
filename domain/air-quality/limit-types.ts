import type { AqPollutant, TableSource, Uncertainty } from './pollutants.ts';
import type { ValidityRules } from './validity-rules.ts';

/** What a limit value is defined on. */
export type LimitAveraging =
  | '10min'
  | '15min'
  | '1h'
  | '3h-consecutive'
  | '8h-daily-max'
  | '24h'
  | 'annual'
  | 'peak-season';

export type LimitKind =
  | 'limit'
  | 'indicative-limit'
  | 'target'
  | 'long-term-objective'
  | 'guideline'
  | 'interim-target'
  | 'information-threshold'
  | 'alert-threshold';

/** How compliance with a limit is judged over a year or period. */
export type Assessment =
  /** At most `allowed` hours/days above the value (0: never). */
  | { readonly kind: 'count'; readonly allowed: number }
  /** The mean of the period must not exceed the value. */
  | { readonly kind: 'mean' }
  /** The p-th percentile of the averages must not exceed the value (China HJ 663, WHO 99th). */
  | { readonly kind: 'percentile'; readonly p: number }
  /** Alert/information thresholds: occurrences are reported, none is "allowed". */
  | { readonly kind: 'events' }
  /** Needs data finer than hourly means. */
  | { readonly kind: 'not-assessable'; readonly reason: string };

export interface LimitValue {
  /** Unique within its set, e.g. 'pm10-24h' or 'o3-1h-information'. */
  readonly id: string;
  readonly pollutant: AqPollutant;
  readonly averaging: LimitAveraging;
  readonly value: number;
  readonly unit: 'µg/m³' | 'mg/m³';
  readonly kind: LimitKind;
  readonly assessment: Assessment;
  readonly note?: string;
  /** Set when the value could not be confirmed in the standard's text: what is uncertain, in words. */
  readonly uncertain?: string;
}

/** One selectable set of limits: a grade and/or phase of a standard. */
export interface LimitSet {
  readonly grade?: string;
  readonly phase?: string;
  /** Calendar years the set applies to (inclusive); open when absent. */
  readonly fromYear?: number;
  readonly toYear?: number;
  readonly limits: readonly LimitValue[];
}

export interface LimitStandard {
  readonly id: string;
  readonly name: string;
  readonly grades: readonly string[];
  readonly defaultGrade?: string;
  readonly sets: readonly LimitSet[];
  readonly validity: ValidityRules;
  readonly source: TableSource;
  readonly uncertainties: readonly Uncertainty[];
}

const UNIT_OF: Readonly<Record<AqPollutant, 'µg/m³' | 'mg/m³'>> = {
  pm25: 'µg/m³',
  pm10: 'µg/m³',
  no2: 'µg/m³',
  o3: 'µg/m³',
  so2: 'µg/m³',
  co: 'mg/m³',
};

/** Builds a limit in the pollutant's canonical unit; the id defaults to pollutant-averaging. */
export function limit(
  pollutant: AqPollutant,
  averaging: LimitAveraging,
  value: number,
  kind: LimitKind,
  assessment: Assessment,
  extra: { readonly id?: string; readonly note?: string; readonly uncertain?: string } = {},
): LimitValue {
  return {
    id: extra.id ?? `${pollutant}-${averaging}`,
    pollutant,
    averaging,
    value,
    unit: UNIT_OF[pollutant],
    kind,
    assessment,
    ...(extra.note === undefined ? {} : { note: extra.note }),
    ...(extra.uncertain === undefined ? {} : { uncertain: extra.uncertain }),
  };
}

export const count = (allowed: number): Assessment => ({ kind: 'count', allowed });
export const MEAN: Assessment = { kind: 'mean' };
export const EVENTS: Assessment = { kind: 'events' };
export const pct = (p: number): Assessment => ({ kind: 'percentile', p });
