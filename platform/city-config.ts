import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CityCatalog, citySchema, DEFAULT_CITIES } from '../domain/cities.ts';
import { UcapError } from '../domain/errors.ts';

const citiesFileSchema = z.object({ cities: z.array(citySchema).min(1) });

/**
 * The built-in partner cities plus any listed in CITIES_FILE (JSON: `{"cities": [{id, name,
 * country, timeZone, centre: {lat, lon}}]}`). Adding a city is a configuration change.
 */
export function loadCityCatalog(citiesFile?: string): CityCatalog {
  if (citiesFile === undefined) return new CityCatalog(DEFAULT_CITIES);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(citiesFile, 'utf8'));
  } catch (error) {
    throw new UcapError('CONFIG_INVALID', `CITIES_FILE: cannot read ${citiesFile} as JSON`, { cause: error });
  }
  const parsed = citiesFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new UcapError(
      'CONFIG_INVALID',
      `CITIES_FILE: ${citiesFile} is not a valid city list (${problems})`,
    );
  }
  const extra = parsed.data.cities.filter((c) => !DEFAULT_CITIES.some((d) => d.id === c.id));
  return new CityCatalog([...DEFAULT_CITIES, ...extra]);
}
