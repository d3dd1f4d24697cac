import type { HourlyValue } from './averaging.ts';
import type { Coverage } from './coverage.ts';
import type { LimitValue } from './limit-types.ts';
import type { LimitStandardId } from './limit-values.ts';
import type { AqPollutant } from './pollutants.ts';
import type { ValidityRules } from './validity-rules.ts';

/** A calendar year, or local days [from, to) (YYYY-MM-DD), on the city's local calendar. */
export type AssessmentPeriod = { readonly year: number } | { readonly from: string; readonly to: string };

export interface AssessExceedancesInput {
  readonly standard: LimitStandardId;
  /** WHO: aqg | it1…it4; GB 3095: I | II (default II); EU: none. */
  readonly grade?: string;
  readonly timeZone: string;
  readonly period: AssessmentPeriod;
  /** Hourly means per pollutant (µg/m³, CO mg/m³), `ts` = hour start. */
  readonly series: Readonly<Partial<Record<AqPollutant, readonly HourlyValue[]>>>;
}

export interface LimitAssessment {
  readonly limit: LimitValue;
  readonly status: 'assessed' | 'no-data' | 'not-assessable';
  /** Hours or days above the value, or episodes of 3 consecutive hours above it. */
  readonly exceedances?: number;
  readonly exceedanceUnit?: 'hours' | 'days' | 'episodes';
  readonly allowed?: number;
  /** The assessed statistic: the count, the period mean, or the percentile. */
  readonly statistic?: number;
  /** Whether the statistic meets the limit; absent for information/alert thresholds. */
  readonly compliant?: boolean;
  /** Averages the statistic rests on. */
  readonly samples?: number;
  readonly coverage?: Coverage;
  readonly detail?: string;
}

export interface ExceedanceReport {
  readonly standard: LimitStandardId;
  readonly name: string;
  readonly grade?: string;
  readonly phase?: string;
  readonly timeZone: string;
  readonly period: {
    readonly from: string;
    readonly to: string;
    readonly start: number;
    readonly end: number;
  };
  readonly validityRules: ValidityRules['id'];
  readonly assessments: readonly LimitAssessment[];
}

/** What every limit assessment of one report shares. */
export interface AssessmentContext {
  readonly timeZone: string;
  readonly from: string;
  readonly to: string;
  readonly start: number;
  readonly end: number;
  readonly days: readonly string[];
  readonly rules: ValidityRules;
}

/** A sample: a daily value (keyed by date) or an hourly one (keyed by hour start). */
export interface Sample {
  readonly key: string | number;
  readonly value: number;
}

export interface Sampled {
  readonly samples: readonly Sample[];
  readonly unit: 'hours' | 'days';
  readonly coverage: Coverage;
}
