import { z } from 'zod';
import type { Lang } from './i18n/languages.ts';

/**
 * The city catalog. The two partner cities are built in; more cities are added by configuration
 * (a JSON file named by CITIES_FILE, see platform/city-config.ts), never by code.
 */
export const cityIdSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{1,31}$/,
    'a city id is 2-32 lower-case letters, digits or dashes, starting with a letter',
  );

export const citySchema = z.object({
  id: cityIdSchema,
  name: z.string().min(1),
  /** The name in the other languages of the dashboards and alerts; `name` where absent. */
  names: z.object({ fr: z.string().min(1).optional(), zh: z.string().min(1).optional() }).optional(),
  country: z.string().length(2, 'an ISO 3166-1 alpha-2 country code'),
  /** IANA time zone: views and daily statistics use the city's local calendar. */
  timeZone: z.string().refine(isKnownTimeZone, 'an IANA time zone such as Europe/Paris'),
  /** City centre, used to place the map and default device locations. */
  centre: z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }),
});

export type City = z.infer<typeof citySchema>;
export type CityId = City['id'];

/** A city's name in a language of the dashboards and alerts. */
export function cityName(city: City, lang: Lang): string {
  return (lang === 'en' ? undefined : city.names?.[lang]) ?? city.name;
}

function isKnownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

// Time zones: IANA tzdb zone1970.tab.
// Centres: Nice Arson station area; Zhengzhou city centroid (approximate).
export const DEFAULT_CITIES: readonly City[] = Object.freeze([
  {
    id: 'nice',
    name: 'Nice',
    names: { fr: 'Nice', zh: '尼斯' },
    country: 'FR',
    timeZone: 'Europe/Paris',
    centre: { lat: 43.7031, lon: 7.2661 },
  },
  {
    id: 'zhengzhou',
    name: 'Zhengzhou',
    names: { fr: 'Zhengzhou', zh: '郑州' },
    country: 'CN',
    timeZone: 'Asia/Shanghai',
    centre: { lat: 34.746, lon: 113.625 },
  },
]);

export class CityCatalog {
  readonly #byId: ReadonlyMap<string, City>;

  constructor(cities: readonly City[]) {
    const byId = new Map<string, City>();
    for (const city of cities) {
      if (byId.has(city.id)) throw new Error(`city "${city.id}" is defined twice`);
      byId.set(city.id, Object.freeze(city));
    }
    this.#byId = byId;
  }

  get(id: string): City | undefined {
    return this.#byId.get(id);
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  ids(): string[] {
    return [...this.#byId.keys()];
  }

  list(): City[] {
    return [...this.#byId.values()];
  }
}
