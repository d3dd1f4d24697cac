import {
  MappingType,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DEFAULT_EAQI_VERSION, EAQI_TABLES } from '../domain/air-quality/eaqi-tables.ts';
import { EPA_CATEGORIES } from '../domain/air-quality/epa-tables.ts';
import { HJ633_LEVELS } from '../domain/air-quality/hj633-tables.ts';
import type { IndexStandardId } from '../domain/air-quality/index.ts';
import { LEVEL_NAMES, STANDARD_NAMES } from '../domain/air-quality/level-names.ts';
import type { Lang } from '../domain/i18n/languages.ts';

/**
 * Each index standard's levels as Grafana sees them: the lowest value of each level, its official
 * colour (EEA, HJ 633 Table 2, EPA) and its name in the dashboard's language. EAQI values are level
 * numbers (1–6); HJ 633 and EPA values are AQI.
 */
export interface ScaleStep {
  readonly from: number;
  readonly to: number | null;
  readonly colour: string;
  readonly name: string;
}

export function indexScale(standard: IndexStandardId, lang: Lang): ScaleStep[] {
  const names = LEVEL_NAMES[standard];
  const name = (i: number) => names[i]?.[lang] ?? String(i + 1);
  switch (standard) {
    case 'eaqi':
      return EAQI_TABLES[DEFAULT_EAQI_VERSION].levels.map((l, i) => ({
        from: l.index,
        to: l.index,
        colour: l.colour,
        name: name(i),
      }));
    case 'hj633':
      return HJ633_LEVELS.map((l, i) => ({
        from: l.min,
        to: Number.isFinite(l.max) ? l.max : null,
        colour: l.colour,
        name: name(i),
      }));
    case 'epa':
      return EPA_CATEGORIES.map((c, i) => ({ from: c.min, to: c.max, colour: c.colour, name: name(i) }));
  }
}

export function standardName(standard: IndexStandardId, lang: Lang): string {
  return STANDARD_NAMES[standard][lang];
}

/** Thresholds colouring a value by level (a level's colour from its lowest value up). */
export function scaleThresholds(standard: IndexStandardId, lang: Lang): ThresholdsConfigBuilder {
  const steps = indexScale(standard, lang);
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps(steps.map((s, i) => ({ value: i === 0 ? null : s.from, color: s.colour })));
}

/** Value mappings showing the level name (with its colour) instead of the bare number. */
export function scaleMappings(standard: IndexStandardId, lang: Lang): ValueMapping[] {
  return indexScale(standard, lang).map((s, i) => ({
    type: MappingType.RangeToText,
    options: {
      // Fractional means between integer levels belong to the upper one, as the index rounds up.
      from: i === 0 ? null : s.from - 1 + 1e-9,
      to: s.to,
      result: { text: s.name, color: s.colour, index: i },
    },
  }));
}
