import type { Text } from '../i18n/languages.ts';

/** The air-quality indices this project computes: EU EAQI, China HJ 633, US EPA AQI. */
export type IndexStandardId = 'eaqi' | 'hj633' | 'epa';

/**
 * Level names of each index in English, French and Chinese, by level number (1 = best). The
 * official names are: EEA (English) for the EAQI, HJ 633 Table 2 (Chinese) for the China AQI, and
 * EPA-454/B-24-002 (English) for the US AQI; the other languages are our translations, except the
 * EAQI's French names, which are those of the EEA's French index viewer, and HJ 633's English
 * names, which are those of MEE English publications.
 */
export const LEVEL_NAMES: Readonly<Record<IndexStandardId, readonly Text[]>> = {
  eaqi: [
    { en: 'Good', fr: 'Bon', zh: '良好' },
    { en: 'Fair', fr: 'Moyen', zh: '一般' },
    { en: 'Moderate', fr: 'Dégradé', zh: '中等' },
    { en: 'Poor', fr: 'Mauvais', zh: '差' },
    { en: 'Very poor', fr: 'Très mauvais', zh: '很差' },
    { en: 'Extremely poor', fr: 'Extrêmement mauvais', zh: '极差' },
  ],
  hj633: [
    { en: 'Excellent', fr: 'Excellent', zh: '优' },
    { en: 'Good', fr: 'Bon', zh: '良' },
    { en: 'Lightly polluted', fr: 'Légèrement pollué', zh: '轻度污染' },
    { en: 'Moderately polluted', fr: 'Modérément pollué', zh: '中度污染' },
    { en: 'Heavily polluted', fr: 'Fortement pollué', zh: '重度污染' },
    { en: 'Severely polluted', fr: 'Gravement pollué', zh: '严重污染' },
  ],
  epa: [
    { en: 'Good', fr: 'Bon', zh: '良好' },
    { en: 'Moderate', fr: 'Modéré', zh: '中等' },
    {
      en: 'Unhealthy for Sensitive Groups',
      fr: 'Mauvais pour les groupes sensibles',
      zh: '对敏感人群不健康',
    },
    { en: 'Unhealthy', fr: 'Mauvais pour la santé', zh: '不健康' },
    { en: 'Very Unhealthy', fr: 'Très mauvais pour la santé', zh: '非常不健康' },
    { en: 'Hazardous', fr: 'Dangereux', zh: '危险' },
  ],
};

/** Names of the index standards themselves. */
export const STANDARD_NAMES: Readonly<Record<IndexStandardId, Text>> = {
  eaqi: {
    en: 'European Air Quality Index (EEA)',
    fr: 'Indice européen de la qualité de l’air (AEE)',
    zh: '欧洲空气质量指数 (EEA)',
  },
  hj633: {
    en: 'China Air Quality Index (HJ 633)',
    fr: 'Indice chinois de la qualité de l’air (HJ 633)',
    zh: '环境空气质量指数 (HJ 633)',
  },
  epa: {
    en: 'US EPA Air Quality Index',
    fr: 'Indice de la qualité de l’air de l’EPA (États-Unis)',
    zh: '美国 EPA 空气质量指数',
  },
};
