import { UcapError } from '../errors.ts';
import type { LimitSet, LimitStandard, LimitValue } from './limit-types.ts';
import { EU_2008, EU_2030 } from './limit-values-eu.ts';
import { GB3095_2012, GB3095_2026 } from './limit-values-gb.ts';
import { WHO_2021 } from './limit-values-who.ts';

/** Every limit-value standard, by the id the API uses (`standard=` of /v1/exceedances). */
export const LIMIT_STANDARD_IDS = ['who2021', 'eu2008', 'eu2030', 'gb3095-2012', 'gb3095-2026'] as const;
export type LimitStandardId = (typeof LIMIT_STANDARD_IDS)[number];

export const LIMIT_STANDARDS: Readonly<Record<LimitStandardId, LimitStandard>> = Object.freeze({
  who2021: WHO_2021,
  eu2008: EU_2008,
  eu2030: EU_2030,
  'gb3095-2012': GB3095_2012,
  'gb3095-2026': GB3095_2026,
});

export function isLimitStandardId(value: string): value is LimitStandardId {
  return (LIMIT_STANDARD_IDS as readonly string[]).includes(value);
}

export interface SelectedLimits {
  readonly standard: LimitStandard;
  readonly grade?: string;
  readonly phase?: string;
  readonly limits: readonly LimitValue[];
}

/** The limits of a standard for a grade (default grade when absent) and a calendar year. */
export function limitValuesFor(
  standardId: LimitStandardId,
  options: { readonly grade?: string; readonly year: number },
): SelectedLimits {
  const standard = LIMIT_STANDARDS[standardId];
  if (!standard) throw new UcapError('AQ_INVALID_INPUT', `unknown limit-value standard "${standardId}"`);
  const grade = options.grade ?? standard.defaultGrade;
  if (standard.grades.length === 0 && options.grade !== undefined) {
    throw new UcapError('AQ_INVALID_INPUT', `${standardId} has no grades (got "${options.grade}")`);
  }
  if (standard.grades.length > 0 && (grade === undefined || !standard.grades.includes(grade))) {
    throw new UcapError(
      'AQ_INVALID_INPUT',
      `${standardId} grade must be one of ${standard.grades.join(', ')}`,
    );
  }
  const set = standard.sets.find((s) => s.grade === grade && inYears(s, options.year));
  if (!set) throw new UcapError('AQ_INVALID_INPUT', `${standardId} has no limits for ${options.year}`);
  return {
    standard,
    ...(set.grade === undefined ? {} : { grade: set.grade }),
    ...(set.phase === undefined ? {} : { phase: set.phase }),
    limits: set.limits,
  };
}

function inYears(set: LimitSet, year: number): boolean {
  return (
    (set.fromYear === undefined || year >= set.fromYear) && (set.toYear === undefined || year <= set.toYear)
  );
}
