import { z } from 'zod';
import { METRICS } from '../../domain/metrics.ts';
import { formatDuration } from '../../domain/timestamps.ts';
import type { ApiApp, RouteDeps } from '../api-deps.ts';
import { badParameter } from '../api-request-error.ts';
import { bucketCount, MAX_BUCKETS } from '../bucket-duration.ts';
import { toLocalRfc3339, toUtcRfc3339 } from '../local-time.ts';
import { plainJsonSerializer } from '../schemas/plain-json.ts';
import {
  aggregateParameter,
  cityParameter,
  deviceParameter,
  everyParameter,
  metricParameter,
  timeParameter,
} from '../schemas/query-parameters.ts';
import { errorResponses, localTime, metricIdSchema, utcTime } from '../schemas/response-parts.ts';

export const DEFAULT_SERIES_RANGE_MS = 24 * 3_600_000;

const pointSchema = z.object({
  ts: utcTime('Bucket start.'),
  localTime: localTime("Bucket start in the city's time zone."),
  value: z.number().describe('The aggregate of the readings in the bucket (a count for agg=count).'),
});

const seriesResponseSchema = z.object({
  city: z.string().describe('City id.'),
  timeZone: z.string().describe('IANA zone buckets are aligned to and `localTime` is given in.'),
  metric: metricIdSchema,
  displayName: z.string().describe('Human name of the metric.'),
  unit: z.string().describe('Unit of the values (for agg=count, the values are numbers of readings).'),
  agg: z.string().describe('The aggregate applied: mean, min, max or count.'),
  every: z.string().describe('Bucket width as requested (e.g. 1h).'),
  from: utcTime('Start of the range (inclusive).'),
  to: utcTime('End of the range (exclusive).'),
  series: z
    .array(
      z.object({
        deviceId: z.string().describe('Device id.'),
        points: z
          .array(pointSchema)
          .describe('Buckets that hold data, oldest first; empty buckets are left out.'),
      }),
    )
    .describe('One series per device, sorted by device id.'),
});

function memoizedTimes(timeZone: string): (ts: number) => { ts: string; localTime: string } {
  const known = new Map<number, { ts: string; localTime: string }>();
  return (ts) => {
    let formatted = known.get(ts);
    if (formatted === undefined) {
      formatted = { ts: toUtcRfc3339(ts), localTime: toLocalRfc3339(ts, timeZone) };
      known.set(ts, formatted);
    }
    return formatted;
  };
}

/** [from, to) from the optional parameters: the last 24 h by default, `from` before `to`. */
export function resolveRange(from: number | undefined, to: number | undefined, now: number) {
  const end = to ?? now;
  const start = from ?? end - DEFAULT_SERIES_RANGE_MS;
  if (start >= end) {
    throw badParameter('from', `${toUtcRfc3339(start)} is not before to (${toUtcRfc3339(end)})`);
  }
  return { from: start, to: end };
}

function checkBucketCount(from: number, to: number, every: { text: string; ms: number }): void {
  const buckets = bucketCount(from, to, every.ms);
  if (buckets > MAX_BUCKETS) {
    throw badParameter(
      'every',
      `${every.text} over ${formatDuration(to - from)} makes ${buckets} buckets; at most ${MAX_BUCKETS} are returned per request, so widen every or shorten from..to`,
    );
  }
}

export function registerSeriesRoute(app: ApiApp, deps: RouteDeps & { now: () => number }): void {
  app.get(
    '/v1/series',
    {
      ...plainJsonSerializer,
      schema: {
        summary: 'Time-bucketed series of one metric',
        description: `Readings of one metric aggregated into buckets aligned to the city's local midnight, one series per device. At most ${MAX_BUCKETS} buckets per request.`,
        tags: ['readings'],
        querystring: z.strictObject({
          city: cityParameter(deps.cities),
          metric: metricParameter,
          device: deviceParameter
            .optional()
            .describe('Only this device (default: one series per device of the city).'),
          from: timeParameter(
            'Start of the range, inclusive, RFC 3339 with offset (default: 24 h before `to`).',
          ).optional(),
          to: timeParameter('End of the range, exclusive, RFC 3339 with offset (default: now).').optional(),
          every: everyParameter.prefault('1h'),
          agg: aggregateParameter.default('mean'),
        }),
        response: { 200: seriesResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { city, metric, device, every, agg } = request.query;
      const { from, to } = resolveRange(request.query.from, request.query.to, deps.now());
      checkBucketCount(from, to, every);
      const timeZone = deps.cities.get(city)?.timeZone ?? 'UTC';
      // Every device has a point at the same bucket starts: each is formatted once.
      const times = memoizedTimes(timeZone);
      const series = await deps.heavy.run(reply, (signal) =>
        deps.store.series({
          city,
          metric,
          ...(device === undefined ? {} : { deviceId: device }),
          from,
          to,
          everyMs: every.ms,
          agg,
          timeZone,
          signal,
        }),
      );
      return {
        city,
        timeZone,
        metric,
        displayName: METRICS[metric].displayName,
        unit: agg === 'count' ? 'readings' : METRICS[metric].unit,
        agg,
        every: every.text,
        from: toUtcRfc3339(from),
        to: toUtcRfc3339(to),
        series: series.map((s) => ({
          deviceId: s.deviceId,
          points: s.points.map((p) => ({ ...times(p.ts), value: p.value })),
        })),
      };
    },
  );
}
