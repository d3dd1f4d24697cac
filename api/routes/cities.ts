import { z } from 'zod';
import type { ApiApp, RouteDeps } from '../api-deps.ts';
import { errorResponses } from '../schemas/response-parts.ts';

const cityResponseSchema = z.object({
  id: z.string().describe('City id, used as the `city` parameter everywhere.'),
  name: z.string().describe('Display name.'),
  country: z.string().describe('ISO 3166-1 alpha-2 country code.'),
  timeZone: z.string().describe('IANA time zone; local times and daily buckets follow it.'),
  centre: z
    .object({
      lat: z.number().describe('Latitude, WGS 84 degrees.'),
      lon: z.number().describe('Longitude, WGS 84 degrees.'),
    })
    .describe('City centre, for placing a map.'),
});

const citiesResponseSchema = z.object({
  cities: z.array(cityResponseSchema).describe('Every city of the catalog.'),
});

export function registerCitiesRoute(app: ApiApp, deps: RouteDeps): void {
  app.get(
    '/v1/cities',
    {
      schema: {
        summary: 'List the cities',
        description: 'The cities the platform monitors, with their time zone and centre.',
        tags: ['catalog'],
        response: { 200: citiesResponseSchema, 500: errorResponses[500] },
      },
    },
    async () => ({
      cities: deps.cities.list().map(({ id, name, country, timeZone, centre }) => ({
        id,
        name,
        country,
        timeZone,
        centre: { lat: centre.lat, lon: centre.lon },
      })),
    }),
  );
}
