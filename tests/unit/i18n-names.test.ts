import { describe, expect, it } from 'vitest';
import { EAQI_TABLES, EAQI_VERSIONS } from '../../domain/air-quality/eaqi-tables.ts';
import { EPA_CATEGORIES } from '../../domain/air-quality/epa-tables.ts';
import { HJ633_LEVELS } from '../../domain/air-quality/hj633-tables.ts';
import { LEVEL_NAMES, STANDARD_NAMES } from '../../domain/air-quality/level-names.ts';
import { STANDARDS } from '../../domain/air-quality/standards-catalog.ts';
import { LANGS } from '../../domain/i18n/languages.ts';
import { METRIC_NAMES } from '../../domain/i18n/metric-names.ts';
import { METRIC_IDS, METRICS } from '../../domain/metrics.ts';

describe('names in English, French and Chinese', () => {
  it('keep the official names of each standard in its own language', () => {
    for (const v of EAQI_VERSIONS) {
      expect(EAQI_TABLES[v].levels.map((l) => l.name)).toEqual(
        LEVEL_NAMES.eaqi.slice(0, EAQI_TABLES[v].levels.length).map((n) => n.en),
      );
    }
    HJ633_LEVELS.forEach((l, i) => {
      expect(LEVEL_NAMES.hj633[i]?.zh).toBe(l.zh);
      expect(LEVEL_NAMES.hj633[i]?.en).toBe(l.en);
    });
    expect(EPA_CATEGORIES.map((c) => c.name)).toEqual(LEVEL_NAMES.epa.map((n) => n.en));
    for (const s of STANDARDS.filter((s) => s.kind === 'index')) {
      expect(STANDARD_NAMES[s.id as keyof typeof STANDARD_NAMES].en).toBe(s.name);
    }
    for (const m of METRIC_IDS) expect(METRIC_NAMES[m].en).toBe(METRICS[m].displayName);
  });

  it('have a distinct, non-empty name per level in every language', () => {
    for (const names of Object.values(LEVEL_NAMES)) {
      for (const lang of LANGS) {
        const inLang = names.map((n) => n[lang]);
        expect(inLang.every((n) => n.trim().length > 0)).toBe(true);
        expect(new Set(inLang).size).toBe(inLang.length);
      }
    }
  });
});
