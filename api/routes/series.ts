import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { BucketValidity } from '../../domain/air-quality/bucket-validity.ts';
import { METRICS } from '../../domain/metrics.ts';
import { formatDuration } from '../../domain/timestamps.ts';
import type { DeviceSeries } from '../../store/time-series-store.ts';
import type { ApiApp, RouteDeps } from '../api-deps.ts';
import { badParameter } from '../api-request-error.ts';
import { bucketCount, MAX_BUCKETS } from '../bucket-duration.ts';
import { toLocalRfc3339, toUtcRfc3339 } from '../local-time.ts';
import {
  aggregateParameter,
  cityParameter,
  deviceParameter,
  everyParameter,
  metricParameter,
  problemFor,
  timeParameter,
} from '../schemas/query-parameters.ts';
import { errorResponses, localTime, metricIdSchema, utcTime } from '../schemas/response-parts.ts';
import {
  applyCoverage,
  type CoverageInputs,
  checkCoverageRange,
  defaultValidityRule,
  describeValidity,
  readSeriesWithCoverage,
  VALIDITY_RULE_IDS,
} from '../series-coverage.ts';
import { sendJsonWithStreamedList } from '../streamed-json.ts';

export const DEFAULT_SERIES_RANGE_MS = 24 * 3_600_000;

const pointSchema = z.object({
  ts: utcTime('Bucket start.'),
  localTime: localTime("Bucket start in the city's time zone."),
  value: z.number().describe('The aggregate of the readings in the bucket (a count for agg=count).'),
  count: z.number().int().optional().describe('include=coverage: readings in the bucket.'),
  coverage: z
    .number()
    .optional()
    .describe(
      "include=coverage: readings over the readings expected in the bucket at the series' expectedInterval, from 0 to 1 (capped at 1).",
    ),
  valid: z
    .boolean()
    .optional()
    .describe('include=coverage: whether the bucket meets the data-validity rule named in `validity`.'),
  validHours: z
    .number()
    .int()
    .optional()
    .describe('include=coverage, buckets of several hours or days: hourly values meeting the one-hour rule.'),
  validDays: z
    .number()
    .int()
    .optional()
    .describe('include=coverage, buckets of several days: local days meeting the daily rule.'),
});

const validitySchema = z
  .object({
    rules: z.enum(VALIDITY_RULE_IDS).describe('The data-validity rules applied.'),
    standard: z.string().describe('The published standard and clauses the rules come from.'),
    criterion: z.string().describe('What a bucket of this width needs to be valid, in words.'),
    defaultIntervalMs: z
      .number()
      .describe('Reporting interval assumed for a device with fewer than two readings in the range.'),
    uncertainties: z.array(z.string()).describe('Where a rule rests on memory or on a choice of ours.'),
  })
  .describe('include=coverage: the rule `valid` applies.');

const expectedIntervalSchema = z
  .object({
    ms: z.number().describe('Expected time between readings, ms.'),
    source: z
      .enum(['registry', 'median-spacing', 'default'])
      .describe(
        "registry: the device's `meta.reportingInterval` in the device registry (e.g. 30s, 5m, 1h); median-spacing: the median gap between the device's readings of this metric in from..to (its last 3 days when longer, unless the device has fewer than two readings there); default: fewer than two readings in from..to, validity.defaultIntervalMs.",
      ),
  })
  .describe('include=coverage: the reporting interval coverage is measured against.');

const seriesResponseSchema = z.object({
  city: z.string().describe('City id.'),
  timeZone: z.string().describe('IANA zone buckets are aligned to and `localTime` is given in.'),
  metric: metricIdSchema,
  displayName: z.string().describe('Human name of the metric.'),
  unit: z.string().describe('Unit of the values (for agg=count, the values are numbers of readings).'),
  agg: z.string().describe('The aggregate applied: mean, min, max, count, p50, p90, p95 or p98.'),
  every: z.string().describe('Bucket width as requested (e.g. 1h).'),
  from: utcTime('Start of the range (inclusive).'),
  to: utcTime('End of the range (exclusive).'),
  validity: validitySchema.optional(),
  series: z
    .array(
      z.object({
        deviceId: z.string().describe('Device id.'),
        expectedInterval: expectedIntervalSchema.optional(),
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

/** `"ts":"…","localTime":"…"` of a bucket start, as JSON.stringify writes them, once per start. */
function memoizedTimeJson(times: (ts: number) => { ts: string; localTime: string }): (ts: number) => string {
  const known = new Map<number, string>();
  return (ts) => {
    let text = known.get(ts);
    if (text === undefined) {
      const t = times(ts);
      text = `"ts":${JSON.stringify(t.ts)},"localTime":${JSON.stringify(t.localTime)}`;
      known.set(ts, text);
    }
    return text;
  };
}

/** A number as JSON.stringify writes it (non-finite values become null). */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/** A point with its coverage, built whole: spreads cost more than the rest of a 100k-point answer. */
function coveredPoint(
  time: { ts: string; localTime: string },
  value: number,
  judged: BucketValidity | undefined,
) {
  if (judged === undefined) return { ts: time.ts, localTime: time.localTime, value };
  const { count, coverage, valid, validHours, validDays } = judged;
  const point = { ts: time.ts, localTime: time.localTime, value, count, coverage, valid };
  if (validDays !== undefined) return { ...point, validHours, validDays };
  return validHours === undefined ? point : { ...point, validHours };
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
      schema: {
        summary: 'Time-bucketed series of one metric',
        description: `Readings of one metric aggregated into buckets aligned to the city's local midnight, one series per device. At most ${MAX_BUCKETS} buckets per request. Percentiles (p50, p90, p95, p98) are nearest-rank, as InfluxDB's PERCENTILE(): of the bucket's n readings sorted ascending, the one at rank ⌊n·p/100 + 0.5⌋; they read every raw reading, so they cost more than mean/min/max/count. include=coverage adds per-point counts, coverage and validity.`,
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
          include: z
            .enum(['coverage'], { error: problemFor('something a series can include (coverage)') })
            .optional()
            .describe(
              "coverage: each point also carries `count` (readings in the bucket), `coverage` (share of the readings expected at the device's reporting interval) and `valid` (the bucket meets the data-validity rule of `validity`); the response says which rule and interval were used.",
            ),
          validity: z
            .enum(VALIDITY_RULE_IDS, { error: problemFor('a set of data-validity rules') })
            .optional()
            .describe(
              "Data-validity rules for `valid` (implies include=coverage): eu (Directive 2008/50/EC Annex VII A.2 and Annex XI: an hour needs 75 % (45 minutes), a day 18 valid hours), china (GB 3095-2012 Table 4: an hour 45 minutes, a day 20 valid hours), who (WHO sets none: the EU's), epa. Default: china for cities in China, eu elsewhere.",
            ),
        }),
        response: { 200: seriesResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { city, metric, device, every, agg } = request.query;
      const { from, to } = resolveRange(request.query.from, request.query.to, deps.now());
      checkBucketCount(from, to, every);
      const withCoverage = request.query.include === 'coverage' || request.query.validity !== undefined;
      if (withCoverage) checkCoverageRange(from, to, every.ms);
      const rule = request.query.validity ?? defaultValidityRule(deps.cities.get(city));
      const timeZone = deps.cities.get(city)?.timeZone ?? 'UTC';
      // Every device has a point at the same bucket starts: each is formatted once.
      const times = memoizedTimes(timeZone);
      const query = {
        city,
        metric,
        ...(device === undefined ? {} : { deviceId: device }),
        from,
        to,
        everyMs: every.ms,
        agg,
        timeZone,
      };
      const [series, coverage] = await deps.heavy.run(
        reply,
        async (signal): Promise<[DeviceSeries[], CoverageInputs | undefined]> =>
          withCoverage
            ? readSeriesWithCoverage(deps.store, deps.registry, { ...query, signal })
            : [await deps.store.series({ ...query, signal }), undefined],
      );
      const head = {
        city,
        timeZone,
        metric,
        displayName: METRICS[metric].displayName,
        unit: agg === 'count' ? 'readings' : METRICS[metric].unit,
        agg,
        every: every.text,
        from: toUtcRfc3339(from),
        to: toUtcRfc3339(to),
        ...(withCoverage ? { validity: describeValidity(rule, every.ms) } : {}),
      };
      // Untyped: the body is written device by device (api/streamed-json.ts); the schema documents it.
      const raw: FastifyReply = reply;
      if (coverage === undefined) {
        // Text built from each bucket start's JSON, formatted once per response: an object and a
        // JSON.stringify per point were most of a city month's ~70k points.
        const timeJson = memoizedTimeJson(times);
        return sendJsonWithStreamedList(
          raw,
          head,
          'series',
          series,
          (s) =>
            `{"deviceId":${JSON.stringify(s.deviceId)},"points":[${s.points
              .map((p) => `{${timeJson(p.ts)},"value":${jsonNumber(p.value)}}`)
              .join(',')}]}`,
        );
      }
      return sendJsonWithStreamedList(
        raw,
        head,
        'series',
        applyCoverage(query, series, coverage, rule),
        (s) =>
          JSON.stringify({
            deviceId: s.deviceId,
            expectedInterval: s.expectedInterval,
            points: s.points.map((p, i) => coveredPoint(times(p.ts), p.value, s.judged[i])),
          }),
      );
    },
  );
}
