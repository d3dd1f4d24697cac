import { z } from 'zod';
import { METRIC_IDS, METRICS, type MetricId } from '../../domain/metrics.ts';
import { DEVICE_ID_PATTERN } from '../../domain/topics.ts';
import type { ApiApp, RouteDeps } from '../api-deps.ts';
import { badParameter } from '../api-request-error.ts';
import { toLocalRfc3339, toUtcRfc3339 } from '../local-time.ts';
import {
  decodeCursor,
  encodeCursor,
  exportBody,
  nextCursor,
  openExportPages,
  type ReadPage,
} from '../readings-export.ts';
import { streamParquetExport } from '../readings-parquet.ts';
import { plainJsonSerializer } from '../schemas/plain-json.ts';
import { cityParameter, timeParameter } from '../schemas/query-parameters.ts';
import { errorResponses, localTime, metricIdSchema, utcTime } from '../schemas/response-parts.ts';
import { resolveRange } from './series.ts';

export const DEFAULT_READINGS_LIMIT = 1000;
/** A JSON page is built in memory; larger exports stream as ndjson or csv. */
export const MAX_JSON_READINGS_LIMIT = 10_000;
export const MAX_STREAM_READINGS_LIMIT = 100_000_000;

const listOf = <T extends string>(text: string, valid: (item: string) => item is T): T[] | undefined => {
  const items = text.split(',').map((item) => item.trim());
  return items.every(valid) ? items : undefined;
};

const metricsParameter = z
  .string()
  .transform((text, ctx) => {
    const metrics = listOf(text, (m): m is MetricId => (METRIC_IDS as readonly string[]).includes(m));
    if (metrics === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a comma-separated list of metric ids` });
      return z.NEVER;
    }
    return metrics;
  })
  .describe(`Only these metrics, comma-separated (${METRIC_IDS.join(', ')}); default: all.`);

const devicesParameter = z
  .string()
  .transform((text, ctx) => {
    const devices = listOf(text, (d): d is string => DEVICE_ID_PATTERN.test(d));
    if (devices === undefined || devices.length > 100) {
      ctx.addIssue({ code: 'custom', message: 'must be 1 to 100 device ids, comma-separated' });
      return z.NEVER;
    }
    return devices;
  })
  .describe('Only these devices, comma-separated (at most 100).');

const bboxParameter = z
  .string()
  .transform((text, ctx) => {
    const [minLon, minLat, maxLon, maxLat] = text.split(',').map(Number);
    const ok =
      text.split(',').length === 4 &&
      [minLon, minLat, maxLon, maxLat].every((x) => x !== undefined && Number.isFinite(x)) &&
      (minLon as number) >= -180 &&
      (maxLon as number) <= 180 &&
      (minLat as number) >= -90 &&
      (maxLat as number) <= 90 &&
      (minLon as number) <= (maxLon as number) &&
      (minLat as number) <= (maxLat as number);
    if (!ok) {
      ctx.addIssue({
        code: 'custom',
        message: `"${text}" is not minLon,minLat,maxLon,maxLat in degrees (e.g. 7.2,43.65,7.35,43.75)`,
      });
      return z.NEVER;
    }
    return { minLon, minLat, maxLon, maxLat } as Record<'minLon' | 'minLat' | 'maxLon' | 'maxLat', number>;
  })
  .describe('Only registered devices located in this box: minLon,minLat,maxLon,maxLat (WGS 84 degrees).');

const readingSchema = z.object({
  ts: utcTime('Time of the reading.'),
  localTime: localTime("The same instant in the city's time zone."),
  deviceId: z.string(),
  metric: metricIdSchema,
  value: z.number(),
  unit: z.string().describe('Canonical unit of the metric.'),
  timeSource: z.enum(['device', 'receive']),
});

export function registerReadingsRoute(app: ApiApp, deps: RouteDeps & { now: () => number }): void {
  app.get(
    '/v1/readings',
    {
      ...plainJsonSerializer,
      schema: {
        summary: 'Raw readings, paged or streamed',
        description: `Stored readings of one city, ordered by time, device, metric. format=json gives pages of at most ${MAX_JSON_READINGS_LIMIT} with \`nextCursor\`; format=ndjson or csv (columns ts,city,device,metric,value, as \`ucap import\` reads) streams the whole range with constant memory; format=parquet streams the same columns as one Parquet file (ts a UTC timestamp), row group by row group.`,
        tags: ['readings'],
        querystring: z.strictObject({
          city: cityParameter(deps.cities),
          metric: metricsParameter.optional(),
          device: devicesParameter.optional(),
          bbox: bboxParameter.optional(),
          from: timeParameter('Start, inclusive, RFC 3339 (default: 24 h before `to`).').optional(),
          to: timeParameter('End, exclusive, RFC 3339 (default: now).').optional(),
          limit: z.coerce
            .number({ error: `must be a whole number from 1 to ${MAX_STREAM_READINGS_LIMIT}` })
            .int({ error: `must be a whole number from 1 to ${MAX_STREAM_READINGS_LIMIT}` })
            .min(1, { error: `must be a whole number from 1 to ${MAX_STREAM_READINGS_LIMIT}` })
            .max(MAX_STREAM_READINGS_LIMIT, { error: `must be at most ${MAX_STREAM_READINGS_LIMIT}` })
            .optional()
            .describe(
              `Most readings returned (json: default ${DEFAULT_READINGS_LIMIT}, at most ${MAX_JSON_READINGS_LIMIT}; ndjson/csv/parquet: default all).`,
            ),
          cursor: z.string().max(200).optional().describe('`nextCursor` of the previous page.'),
          format: z
            .enum(['json', 'ndjson', 'csv', 'parquet'])
            .default('json')
            .describe('json (paged), ndjson, csv or parquet.'),
        }),
        response: {
          200: z.object({
            city: z.string(),
            timeZone: z.string(),
            readings: z.array(readingSchema),
            nextCursor: z
              .string()
              .nullable()
              .describe('Pass as `cursor` for the next page; null at the end.'),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { city, metric, format } = request.query;
      const range = resolveRange(request.query.from, request.query.to, deps.now());
      const cursor =
        request.query.cursor === undefined
          ? { from: range.from, offset: 0 }
          : decodeCursor(request.query.cursor, range);
      const deviceIds = await selectDevices(deps, city, request.query.device, request.query.bbox);
      const query = {
        city,
        to: range.to,
        ...(metric === undefined ? {} : { metrics: metric }),
        ...(deviceIds === undefined ? {} : { deviceIds }),
      };
      const timeZone = deps.cities.get(city)?.timeZone ?? 'UTC';
      const readPage: ReadPage = (read) => deps.heavy.run(reply, read, { deadlineFromNow: true });
      if (format === 'parquet') {
        const limit = request.query.limit ?? MAX_STREAM_READINGS_LIMIT;
        const parquet = await streamParquetExport(
          () => openExportPages({ store: deps.store, query, start: cursor, limit, readPage }),
          city,
        );
        // Failures after the first bytes cut the response short (logged; the status is sent).
        parquet.done.catch((error: unknown) =>
          request.log.warn({ err: error }, 'parquet export stopped before its end'),
        );
        reply.type('application/vnd.apache.parquet');
        reply.header('content-disposition', `attachment; filename="readings-${city}.parquet"`);
        return reply.send(parquet.body as never);
      }
      if (format !== 'json') {
        const limit = request.query.limit ?? MAX_STREAM_READINGS_LIMIT;
        const pages = await openExportPages({ store: deps.store, query, start: cursor, limit, readPage });
        reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
        // A stream is sent as it is (no serialiser); the typed reply only knows the JSON shape.
        return reply.send(exportBody(pages, format) as never);
      }
      const limit = request.query.limit ?? DEFAULT_READINGS_LIMIT;
      if (limit > MAX_JSON_READINGS_LIMIT) {
        throw badParameter(
          'limit',
          `must be at most ${MAX_JSON_READINGS_LIMIT} with format=json; use format=ndjson or csv to export more`,
        );
      }
      const page = await deps.heavy.run(reply, (signal) =>
        deps.store.readings({ ...query, from: cursor.from, offset: cursor.offset, limit, signal }),
      );
      return {
        city,
        timeZone,
        readings: page.map((r) => ({
          ts: toUtcRfc3339(r.ts),
          localTime: toLocalRfc3339(r.ts, timeZone),
          deviceId: r.deviceId,
          metric: r.metric,
          value: r.value,
          unit: METRICS[r.metric].unit,
          timeSource: r.timeSource ?? 'device',
        })),
        nextCursor: page.length < limit ? null : encodeCursor(nextCursor(cursor, page)),
      };
    },
  );
}

/** The device filter: the ids asked for, narrowed to registered devices in the box. */
async function selectDevices(
  deps: RouteDeps,
  city: string,
  devices: readonly string[] | undefined,
  bbox: Record<'minLon' | 'minLat' | 'maxLon' | 'maxLat', number> | undefined,
): Promise<readonly string[] | undefined> {
  if (bbox === undefined) return devices;
  const inBox = (await deps.registry.list({ city }))
    .filter(
      (d) =>
        d.location !== undefined &&
        d.location.lon >= bbox.minLon &&
        d.location.lon <= bbox.maxLon &&
        d.location.lat >= bbox.minLat &&
        d.location.lat <= bbox.maxLat,
    )
    .map((d) => d.id);
  return devices === undefined ? inBox : inBox.filter((id) => devices.includes(id));
}
