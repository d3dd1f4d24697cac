import { LIMIT_STANDARDS, type LimitStandardId } from '../air-quality/limit-values.ts';
import type { Lang } from './languages.ts';

/** Each limit-value standard's name in French and Chinese; the English one is the catalog's own. */
const OTHER_NAMES: Readonly<Record<LimitStandardId, Readonly<Record<Exclude<Lang, 'en'>, string>>>> = {
  who2021: {
    fr: 'Lignes directrices mondiales OMS 2021 sur la qualité de l’air',
    zh: '世卫组织《全球空气质量指导值》（2021）',
  },
  eu2008: {
    fr: 'Directive 2008/50/CE concernant la qualité de l’air ambiant et un air pur pour l’Europe',
    zh: '欧盟指令 2008/50/EC（环境空气质量与欧洲更清洁空气）',
  },
  eu2030: {
    fr: 'Directive (UE) 2024/2881 (refonte), valeurs limites à atteindre en 2030',
    zh: '欧盟指令 (EU) 2024/2881（修订版），2030 年须达到的限值',
  },
  'gb3095-2012': {
    fr: 'GB 3095-2012, normes de qualité de l’air ambiant',
    zh: 'GB 3095-2012《环境空气质量标准》',
  },
  'gb3095-2026': {
    fr: 'GB 3095—2026, normes de qualité de l’air ambiant',
    zh: 'GB 3095—2026《环境空气质量标准》',
  },
};

export function limitStandardName(id: LimitStandardId, lang: Lang): string {
  return lang === 'en' ? LIMIT_STANDARDS[id].name : OTHER_NAMES[id][lang];
}
