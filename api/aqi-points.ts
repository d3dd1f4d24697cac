import { z } from 'zod';
import {
  type EaqiLevel,
  type EaqiResult,
  EPA_CATEGORIES,
  type EpaCategory,
  type EpaResult,
  epaCategory,
  type Hj633Level,
  type Hj633Result,
  hj633Level,
  type IndexPoint,
  type IndexResult,
} from '../domain/air-quality/index.ts';
import { LEVEL_NAMES } from '../domain/air-quality/level-names.ts';
import { DEFAULT_LANG, type Lang } from '../domain/i18n/languages.ts';
import { toLocalRfc3339, toUtcRfc3339 } from './local-time.ts';
import { localTime, utcTime } from './schemas/response-parts.ts';

/**
 * How /v1/aqi shows an index point: one shape for the three standards, so a client can put EU,
 * Chinese and US indices side by side; standard-specific facts are named fields, not free text.
 */
export const levelSchema = z
  .object({
    number: z.number().int().describe('1 = best. EAQI 1–6, HJ 633 levels I–VI as 1–6, EPA categories 1–6.'),
    name: z
      .string()
      .describe(
        'Name in the language asked for with `lang` (default English: e.g. Fair, Lightly polluted, Unhealthy).',
      ),
    nameZh: z.string().optional().describe('HJ 633 only: the Chinese name (e.g. 轻度污染).'),
    colour: z.string().describe("The standard's official colour, #RRGGBB."),
    colourNameZh: z.string().optional().describe('HJ 633 only: the Chinese colour name (e.g. 橙色).'),
  })
  .describe('A level (band, category) of the index.');

type Level = z.infer<typeof levelSchema>;

const subIndexSchema = z.object({
  measure: z
    .string()
    .describe('What was looked up: a pollutant on one averaging (e.g. pm25, o3_8h, so2_1h).'),
  pollutant: z.string().describe('Metric id of the pollutant (pm25, pm10, no2, o3, so2, co).'),
  averaging: z
    .string()
    .describe(
      'How the concentration was averaged from hourly means: 1h, 24h-running, 8h-running, nowcast (EPA PM), 24h (the local day), 1h-daily-max, 8h-daily-max, 24h-running-daily-max.',
    ),
  concentration: z
    .number()
    .describe('The concentration looked up, in `unit` (after rounding or truncation the standard asks for).'),
  unit: z.string().describe('µg/m³, mg/m³ (CO), or ppm/ppb for US EPA gases.'),
  value: z
    .number()
    .nullable()
    .describe(
      'Sub-index: IAQI (HJ 633), AQI (EPA) or level number (EAQI); null when the standard gives none.',
    ),
  level: levelSchema.nullable(),
  counted: z.boolean().describe('Whether this sub-index enters the overall value.'),
  rule: z
    .string()
    .optional()
    .describe('A special rule of the standard that applied (e.g. above-table-fixed).'),
});

export const indexPointSchema = z.object({
  ts: utcTime('Start of the hour, or first instant of the local day.'),
  localTime: localTime(),
  date: z.string().describe('Local calendar date (YYYY-MM-DD) of the hour or day.'),
  standard: z.enum(['eaqi', 'hj633', 'epa']).describe('The index standard.'),
  version: z.string().describe('The version of the standard used (HJ 633: chosen by date unless requested).'),
  report: z.enum(['hourly', 'daily']).optional().describe('HJ 633 only: real-time (hourly) or daily report.'),
  value: z
    .number()
    .nullable()
    .describe('Overall index: AQI for HJ 633 and EPA, the level number for EAQI (it has no numeric scale).'),
  level: levelSchema.nullable(),
  primaryPollutants: z
    .array(z.string())
    .describe(
      'Measures whose sub-index equals the overall value: HJ 633 首要污染物 (only when AQI > 50), EPA critical pollutant(s), EAQI worst pollutant(s); all of them on a tie.',
    ),
  nonAttainmentPollutants: z
    .array(z.string())
    .optional()
    .describe('HJ 633 only: measures with IAQI above 100 (超标污染物; none under HJ 633-2026).'),
  subIndices: z.array(subIndexSchema).describe('One entry per measure that had enough data.'),
  incomplete: z
    .boolean()
    .describe(
      'True when a pollutant the standard counts had a concentration but its sub-index could not be computed (see notComputed): the overall value is then the maximum of the others and may be too low.',
    ),
  notComputed: z
    .array(
      z.object({
        measure: z.string().describe('The pollutant on its averaging (e.g. so2_1h, o3_8h).'),
        pollutant: z.string().describe('Metric id of the pollutant.'),
        reason: z.string().describe('Why, citing the rule of the standard that needs a missing value.'),
      }),
    )
    .describe('Sub-indices the standard asks for that could not be computed, and why.'),
});

export type WireIndexPoint = z.infer<typeof indexPointSchema>;
type SubIndex = z.infer<typeof subIndexSchema>;
type Every = '1h' | '1d';

/**
 * How domain/air-quality/hourly-index.ts and daily-index.ts average a measure, read off its name:
 * daily reports take the day's maximum of 1-hour and 8-hour values and the day's mean otherwise;
 * hourly reports take trailing 8- and 24-hour means, and PM (no suffix) as each standard says.
 */
function averagingOf(measure: string, every: Every, hourlyPm: '1h' | 'nowcast'): string {
  const suffix = /_(1h|8h|24h)$/.exec(measure)?.[1];
  if (every === '1d') return suffix === '1h' || suffix === '8h' ? `${suffix}-daily-max` : '24h';
  if (suffix === undefined) return hourlyPm;
  return suffix === '1h' ? '1h' : `${suffix}-running`;
}

function nameOf(standard: 'eaqi' | 'hj633' | 'epa', number: number, fallback: string, lang: Lang): string {
  return LEVEL_NAMES[standard][number - 1]?.[lang] ?? fallback;
}

function eaqiLevel(level: EaqiLevel, lang: Lang): Level {
  return { number: level.index, name: nameOf('eaqi', level.index, level.name, lang), colour: level.colour };
}

function hjLevel(level: Hj633Level, lang: Lang): Level {
  return {
    number: level.level,
    name: nameOf('hj633', level.level, level.en, lang),
    nameZh: level.zh,
    colour: level.colour,
    colourNameZh: level.colourZh,
  };
}

function epaLevel(category: EpaCategory, lang: Lang): Level {
  const number = EPA_CATEGORIES.indexOf(category) + 1;
  return { number, name: nameOf('epa', number, category.name, lang), colour: category.colour };
}

function withRule<T extends object>(entry: T, rule: string | undefined): T & { rule?: string } {
  return rule === undefined ? entry : { ...entry, rule };
}

function eaqiSubIndices(lang: Lang, result: EaqiResult, every: Every): SubIndex[] {
  return result.subIndices.map((s) => ({
    measure: s.pollutant,
    pollutant: s.pollutant,
    averaging: every === '1d' ? `${s.averaging}-daily-max` : s.averaging,
    concentration: s.concentration,
    unit: 'µg/m³',
    value: s.level.index,
    level: eaqiLevel(s.level, lang),
    counted: true,
  }));
}

function hj633SubIndices(lang: Lang, result: Hj633Result, every: Every): SubIndex[] {
  return result.subIndices.map((s) =>
    withRule(
      {
        measure: s.measure,
        pollutant: s.pollutant,
        averaging: averagingOf(s.measure, every, '1h'),
        concentration: s.concentration,
        unit: s.pollutant === 'co' ? 'mg/m³' : 'µg/m³',
        value: s.iaqi,
        level: s.iaqi === null ? null : hjLevel(hj633Level(s.iaqi), lang),
        counted: s.counted,
      },
      s.rule,
    ),
  );
}

function epaSubIndices(lang: Lang, result: EpaResult, every: Every): SubIndex[] {
  return result.subIndices.map((s) =>
    withRule(
      {
        measure: s.measure,
        pollutant: s.pollutant,
        averaging: averagingOf(s.measure, every, 'nowcast'),
        concentration: s.concentration,
        unit: s.unit,
        value: s.aqi,
        level: s.aqi === null ? null : epaLevel(epaCategory(s.aqi), lang),
        counted: s.counted,
      },
      s.rule,
    ),
  );
}

type Summary = Omit<WireIndexPoint, 'ts' | 'localTime' | 'date'>;

function summarise(result: IndexResult, every: Every, lang: Lang): Summary {
  switch (result.standard) {
    case 'eaqi':
      return {
        standard: 'eaqi',
        version: result.version,
        value: result.overall?.index ?? null,
        level: result.overall === null ? null : eaqiLevel(result.overall, lang),
        primaryPollutants: [...result.dominantPollutants],
        subIndices: eaqiSubIndices(lang, result, every),
        incomplete: false,
        notComputed: [],
      };
    case 'hj633':
      return {
        standard: 'hj633',
        version: result.version,
        report: every === '1d' ? 'daily' : 'hourly',
        value: result.aqi,
        level: result.level === null ? null : hjLevel(result.level, lang),
        primaryPollutants: [...result.primaryPollutants],
        nonAttainmentPollutants: [...result.nonAttainmentPollutants],
        subIndices: hj633SubIndices(lang, result, every),
        incomplete: result.incomplete,
        notComputed: [...result.notComputed],
      };
    case 'epa':
      return {
        standard: 'epa',
        version: result.version,
        value: result.aqi,
        level: result.category === null ? null : epaLevel(result.category, lang),
        primaryPollutants: [...result.dominantPollutants],
        subIndices: epaSubIndices(lang, result, every),
        incomplete: result.incomplete,
        notComputed: [...result.notComputed],
      };
  }
}

/** One point of the air-quality module as /v1/aqi returns it. */
export function toWireIndexPoint(
  point: IndexPoint,
  every: Every,
  timeZone: string,
  language: Lang = DEFAULT_LANG,
): WireIndexPoint {
  return {
    ts: toUtcRfc3339(point.ts),
    localTime: toLocalRfc3339(point.ts, timeZone),
    date: point.date,
    ...summarise(point.result, every, language),
  };
}
