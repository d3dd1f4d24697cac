import type { AqPollutant } from './pollutants.ts';

/**
 * A pollutant the standard wants in the overall index whose sub-index could not be computed from
 * the data at hand. The overall index is then the maximum of the others and is marked incomplete:
 * the missing sub-index might have been the highest.
 */
export interface NotComputed {
  /** The pollutant on its averaging (e.g. so2_1h, o3_8h). */
  readonly measure: string;
  readonly pollutant: AqPollutant;
  /** Why, in words, with the clause of the standard that asks for the missing value. */
  readonly reason: string;
}
