import { UcapError } from '../errors.ts';
import type { MetricId } from '../metrics.ts';

/**
 * The six pollutants the air-quality standards speak about. Ids are the metric ids of
 * domain/metrics.ts, so stored series plug in directly; values arrive in the canonical units
 * (µg/m³, CO in mg/m³).
 */
export const AQ_POLLUTANTS = [
  'pm25',
  'pm10',
  'no2',
  'o3',
  'so2',
  'co',
] as const satisfies readonly MetricId[];
export type AqPollutant = (typeof AQ_POLLUTANTS)[number];

/** How sure we are of a table's values: checked against the official text or ≥ 2 consistent sources ('verified'), or taken from one implementation ('impl'). */
export type Confidence = 'verified' | 'impl' | 'uncertain';

/** Where a table comes from: the standard's table or clause, and the documents read. */
export interface TableSource {
  /** The published standard's table or clause the values are encoded from (name, table, clause). */
  readonly reference: string;
  readonly documents: readonly string[];
  readonly urls: readonly string[];
  readonly confidence: Confidence;
}

/** A value or rule we could not confirm in the standard's text, or had to choose: what, and why, in words. */
export interface Uncertainty {
  readonly what: string;
  readonly why: string;
}

/** Rejects concentrations no standard can classify; callers validate at their boundary first. */
export function assertConcentration(value: number, what: string): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new UcapError('AQ_INVALID_INPUT', `${what} must be a finite concentration ≥ 0, got ${value}`);
  }
}
