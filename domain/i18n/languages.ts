import { z } from 'zod';

/**
 * The languages of the dashboards, alerts and the API's names: English (default), French (Nice)
 * and Chinese (Zhengzhou). Every text shown to a person is one `Text` with all three, so a
 * missing translation is a type error, not a blank panel.
 */
export const LANGS = ['en', 'fr', 'zh'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'en';

export type Text = Readonly<Record<Lang, string>>;

export const langSchema = z.enum(LANGS);

export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value);
}
