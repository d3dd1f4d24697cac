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

/** How sure the reference is of a table value (markers of ../shared/reference/*.md). */
export type Confidence = 'verified' | 'impl' | 'uncertain';

/** Where a table comes from: the reference file and section, and the documents it cites. */
export interface TableSource {
  /** Section of ../shared/reference/*.md the values are encoded from. */
  readonly reference: string;
  readonly documents: readonly string[];
  readonly urls: readonly string[];
  readonly confidence: Confidence;
}

/** A value or rule the reference marks [UNCERTAIN] (or that it does not give and we had to choose). */
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
