import { z } from 'zod';
import { fetchHourlySeries } from '../../aqi/hourly-pollutant-series.ts';
import { indexRevision } from '../../aqi/index-revision.ts';
import { AVERAGING_MARGIN_MS } from '../../domain/air-quality/averaging.ts';
import { startOfLocalHour, wholeLocalDays } from '../../domain/air-quality/local-calendar.ts';
import { formatDuration } from '../../domain/timestamps.ts';
import type { ApiApp, RouteDeps } from '../api-deps.ts';
import { badParameter } from '../api-request-error.ts';
import { indexPointSchema, toWireIndexPoint } from '../aqi-points.ts';
import { toUtcRfc3339 } from '../local-time.ts';
import {
  everyIndexParameter,
  type IndexStandardParameter,
  indexStandardParameter,
  langParameter,
  versionParameter,
  versionsOf,
} from '../schemas/air-quality-parameters.ts';
import { cityParameter, deviceParameter, timeParameter } from '../schemas/query-parameters.ts';
import { errorResponses, utcTime } from '../schemas/response-parts.ts';
import { storedIndexPoints } from '../stored-index-points.ts';

const DAY_MS = 86_400_000;
/** Hourly points are large (up to eight sub-indices each): a month of them is a chart, not an export. */
export const MAX_AQI_RANGE_DAYS = { '1h': 31, '1d': 366 } as const;
const DEFAULT_RANGE_MS = { '1h': DAY_MS, '1d': 7 * DAY_MS } as const;

type Every = keyof typeof MAX_AQI_RANGE_DAYS;

const aqiResponseSchema = z.object({
  city: z.string().describe('City id.'),
  timeZone: z.string().describe('IANA zone of `localTime` and of the local days.'),
  device: z.string().nullable().describe('The device asked for; null for the city as a whole.'),
  devices: z
    .array(z.string())
    .describe(
      'Devices whose readings entered the index. For the city, each hour takes the mean of the hourly means of the devices that reported it.',
    ),
  standard: z.string().describe('The index standard asked for.'),
  version: z
    .string()
    .nullable()
    .describe("The version asked for; null = the standard's default. Each point names the version used."),
  every: z.string().describe('1h or 1d.'),
  from: utcTime('Start of the range (inclusive): aligned to the hour (1h) or to local midnight (1d).'),
  to: utcTime('End of the range (exclusive); for 1d, the local midnight after the last day.'),
  source: z
    .object({
      stored: z
        .number()
        .int()
        .describe(
          'Points read from the stored index series: the values the Grafana air-quality dashboards show.',
        ),
      computed: z
        .array(z.object({ from: utcTime('Start (inclusive).'), to: utcTime('End (exclusive).') }))
        .describe(
          'The part of the range computed from readings for this request, with the same code: periods not yet complete when the index series were last updated (the open hour or day; a US EPA day until 8 h after its end), late readings not indexed yet (at most INDEX_SERIES_FLUSH_MS), days from before the series were kept, another version than the stored one, or a store that keeps none. Empty when every point was stored.',
        ),
    })
    .describe('Where the points come from.'),
  points: z
    .array(indexPointSchema)
    .describe('Oldest first; hours or days without any usable average are left out.'),
});

/** [from, to) of the request, defaulted, checked and aligned to hours or local days. */
export function resolveIndexRange(
  query: { from?: number | undefined; to?: number | undefined; every: Every },
  now: number,
  timeZone: string,
): { from: number; to: number } {
  const to = query.to ?? now;
  const from = query.from ?? to - DEFAULT_RANGE_MS[query.every];
  if (from >= to) throw badParameter('from', `${toUtcRfc3339(from)} is not before to (${toUtcRfc3339(to)})`);
  const maxDays = MAX_AQI_RANGE_DAYS[query.every];
  if (to - from > maxDays * DAY_MS) {
    throw badParameter(
      'from',
      `from..to spans ${formatDuration(to - from)}; every=${query.every} allows at most ${maxDays} days per request${query.every === '1h' ? ' (use every=1d for longer ranges)' : ''}`,
    );
  }
  return query.every === '1d'
    ? wholeLocalDays(from, to, timeZone)
    : { from: startOfLocalHour(from, timeZone), to };
}

function checkVersion(standard: IndexStandardParameter, version: string | undefined): void {
  const allowed = versionsOf(standard);
  if (version !== undefined && !allowed.includes(version)) {
    throw badParameter('version', `"${version}" is not a version of ${standard}`, allowed);
  }
}

export function registerAqiRoute(app: ApiApp, deps: RouteDeps & { now: () => number }): void {
  // Worked out once per process (tens of ms), at start rather than in the first request.
  indexRevision();
  app.get(
    '/v1/aqi',
    {
      schema: {
        summary: 'Air-quality index per hour or per local day',
        description: `The EU EAQI, China AQI (HJ 633) or US EPA AQI of a device, or of the city (hourly means averaged over its devices), read from the stored index series (the numbers Grafana shows) where they are complete, otherwise computed from stored hourly means with the same code and each standard's own averaging (see source). At most ${MAX_AQI_RANGE_DAYS['1h']} days with every=1h, ${MAX_AQI_RANGE_DAYS['1d']} with every=1d.`,
        tags: ['air quality'],
        querystring: z.strictObject({
          city: cityParameter(deps.cities),
          device: deviceParameter.optional().describe('Only this device (default: the city as a whole).'),
          standard: indexStandardParameter,
          version: versionParameter.optional(),
          from: timeParameter(
            'Start of the range, inclusive, RFC 3339 with offset (default: 24 h before `to` for 1h, 7 days for 1d).',
          ).optional(),
          to: timeParameter('End of the range, exclusive, RFC 3339 with offset (default: now).').optional(),
          every: everyIndexParameter.default('1h'),
          lang: langParameter.default('en'),
        }),
        response: { 200: aqiResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { city, device, standard, version, every, lang } = request.query;
      checkVersion(standard, version);
      const timeZone = deps.cities.get(city)?.timeZone ?? 'UTC';
      const range = resolveIndexRange({ ...request.query, every }, deps.now(), timeZone);
      // The stored series first: one small query, outside the heavy-work slots.
      const stored = await storedIndexPoints(deps.store.indexSeries, {
        city,
        ...(device === undefined ? {} : { deviceId: device }),
        standard,
        ...(version === undefined ? {} : { version }),
        every,
        ...range,
      });
      const computed =
        stored.compute.length === 0
          ? []
          : await deps.heavy.run(reply, (signal) =>
              Promise.all(
                stored.compute.map(async (span) => {
                  const data = await fetchHourlySeries(deps.store, {
                    city,
                    ...(device === undefined ? {} : { deviceId: device }),
                    from: span.from - AVERAGING_MARGIN_MS,
                    // Only daily maxima reach past the range (EPA 8-hour windows beginning late in the day).
                    to: every === '1d' ? span.to + AVERAGING_MARGIN_MS : span.to,
                    timeZone,
                    signal,
                  });
                  const input = {
                    standard,
                    ...(version === undefined ? {} : { version }),
                    every,
                    timeZone,
                    from: span.from,
                    to: span.to,
                    series: data.series,
                  };
                  return { devices: data.devices, points: await deps.compute.indexSeries(input, signal) };
                }),
              ),
            );
      const points = [...stored.points, ...computed.flatMap((c) => c.points)].sort((a, b) => a.ts - b.ts);
      return {
        city,
        timeZone,
        device: device ?? null,
        devices: [...new Set([...stored.devices, ...computed.flatMap((c) => c.devices)])].sort(),
        standard,
        version: version ?? null,
        every,
        from: toUtcRfc3339(range.from),
        to: toUtcRfc3339(range.to),
        source: {
          stored: stored.points.length,
          computed: stored.compute.map((span) => ({
            from: toUtcRfc3339(span.from),
            to: toUtcRfc3339(span.to),
          })),
        },
        points: points.map((p) => toWireIndexPoint(p, every, timeZone, lang)),
      };
    },
  );
}
