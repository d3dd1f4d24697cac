import { z } from 'zod';
import { LIMIT_STANDARD_IDS, STANDARDS } from '../../domain/air-quality/index.ts';
import { LANGS } from '../../domain/i18n/languages.ts';

/**
 * Query parameters of /v1/aqi and /v1/exceedances. Closed lists come from the standards catalogue
 * (domain/air-quality/standards-catalog.ts), so a new version or grade shows up here by itself.
 */
function problemFor(expected: string) {
  return (issue: { input?: unknown }): string => {
    if (issue.input === undefined) return 'is required';
    if (Array.isArray(issue.input)) return 'must be given once';
    return `"${String(issue.input)}" is not ${expected}`;
  };
}

export const INDEX_STANDARD_IDS = ['eaqi', 'hj633', 'epa'] as const;
export type IndexStandardParameter = (typeof INDEX_STANDARD_IDS)[number];

export const indexStandardParameter = z
  .enum(INDEX_STANDARD_IDS, { error: problemFor('an index standard') })
  .describe(
    'Index standard: eaqi (European Air Quality Index), hj633 (China AQI), epa (US EPA AQI). See GET /v1/standards.',
  );

export const limitStandardParameter = z
  .enum(LIMIT_STANDARD_IDS, { error: problemFor('a limit-value standard') })
  .describe(
    'Limit values: who2021, eu2008 (Directive 2008/50/EC), eu2030 (Directive (EU) 2024/2881), gb3095-2012, gb3095-2026. See GET /v1/standards.',
  );

const entry = (id: string) => STANDARDS.find((s) => s.id === id);

/** Version ids of a standard, from the catalogue. */
export function versionsOf(standard: string): readonly string[] {
  return entry(standard)?.versions.map((v) => v.id) ?? [];
}

/** Grades of a limit-value standard (empty when it has none) and its default grade. */
export function gradesOf(standard: string): { grades: readonly string[]; defaultGrade?: string } {
  const found = entry(standard);
  if (found?.defaultGrade === undefined) return { grades: found?.grades ?? [] };
  return { grades: found.grades, defaultGrade: found.defaultGrade };
}

export const versionParameter = z
  .string({ error: problemFor('a version') })
  .max(32, { error: 'is not a version (too long)' })
  .describe(
    `Version of the index standard (${INDEX_STANDARD_IDS.map((s) => `${s}: ${versionsOf(s).join(', ')}`).join('; ')}). Default: EAQI 2024; EPA by the local date (2018 table until 2024-05-05, 2024 from 2024-05-06); HJ 633 by observation date (2012 until 2026-02-28, 2026 from 2026-03-01, Beijing time).`,
  );

export const langParameter = z
  .enum(LANGS, { error: problemFor('a language') })
  .describe('Language of level and standard names: en (default), fr or zh.');

export const everyIndexParameter = z
  .enum(['1h', '1d'], { error: problemFor('an index period') })
  .describe(
    "1h: each standard's hourly (real-time) index per hour; 1d: its daily index per local calendar day of the city.",
  );

export const gradeParameter = z
  .string({ error: problemFor('a grade') })
  .max(16, { error: 'is not a grade (too long)' })
  .describe(
    'Grade of the limit values: WHO aqg | it1 | it2 | it3 | it4 (default aqg); GB 3095 I | II (default II, the class of urban areas); EU standards have none.',
  );

export const MIN_YEAR = 1970;
export const MAX_YEAR = 2100;

export const yearParameter = z.coerce
  .number({ error: `must be a year from ${MIN_YEAR} to ${MAX_YEAR}` })
  .int({ error: `must be a year from ${MIN_YEAR} to ${MAX_YEAR}` })
  .min(MIN_YEAR, { error: `must be a year from ${MIN_YEAR} to ${MAX_YEAR}` })
  .max(MAX_YEAR, { error: `must be a year from ${MIN_YEAR} to ${MAX_YEAR}` })
  .describe("Calendar year, on the city's local calendar (default: the current local year).");
