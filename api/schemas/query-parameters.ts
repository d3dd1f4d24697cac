import { z } from 'zod';
import type { CityCatalog } from '../../domain/cities.ts';
import { METRIC_IDS } from '../../domain/metrics.ts';
import { parseRfc3339 } from '../../domain/timestamps.ts';
import { DEVICE_ID_PATTERN } from '../../domain/topics.ts';
import { AGGREGATES } from '../../store/time-series-store.ts';
import { MIN_BUCKET_MS, parseBucketDuration } from '../bucket-duration.ts';

/**
 * Query-string parameters shared by the /v1 routes. Each one says in its error what is wrong and
 * what would be accepted, because the 400 body is all a researcher sees. City ids depend on the
 * configured catalog, so the city parameter is built per API instance.
 */
export function problemFor(expected: string) {
  return (issue: { input?: unknown }): string => {
    if (issue.input === undefined) return 'is required';
    if (Array.isArray(issue.input)) return 'must be given once';
    return `"${String(issue.input)}" is not ${expected}`;
  };
}

export function cityParameter(catalog: CityCatalog) {
  return z
    .enum(catalog.ids(), { error: problemFor('a city of the catalog') })
    .describe('City id, as listed by GET /v1/cities.');
}

export const metricParameter = z
  .enum(METRIC_IDS, { error: problemFor('a metric of the metric catalog') })
  .describe(
    'Metric id from the metric catalog (canonical units: µg/m³ for gases and particles, mg/m³ for CO).',
  );

export const deviceParameter = z
  .string({ error: problemFor('a device id') })
  .regex(DEVICE_ID_PATTERN, {
    error: 'a device id is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  })
  .describe('Device id, as listed by GET /v1/sensors.');

/**
 * Times the API accepts: well inside every store's range (InfluxDB's is 1677-09-21 to 2262-04-11)
 * even after the 24-hour look-back the air-quality averages add, so no query fails in the store.
 */
export const MIN_QUERY_TIME = Date.UTC(1900, 0, 1);
export const MAX_QUERY_TIME = Date.UTC(2200, 0, 1);
const QUERY_RANGE_TEXT = 'from 1900-01-01T00:00:00Z up to (not including) 2200-01-01T00:00:00Z';

export function timeParameter(description: string) {
  return z
    .string({ error: problemFor('a time') })
    .transform((text, ctx) => {
      const ms = parseRfc3339(text);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `"${text}" is not an RFC 3339 time with offset, such as 2026-11-29T08:00:00Z or 2026-11-29T09:00:00+01:00`,
        });
        return z.NEVER;
      }
      if (ms < MIN_QUERY_TIME || ms >= MAX_QUERY_TIME) {
        ctx.addIssue({
          code: 'custom',
          message: `"${text}" is outside the times the API serves, ${QUERY_RANGE_TEXT}`,
        });
        return z.NEVER;
      }
      return ms;
    })
    .meta({
      description,
      format: 'date-time',
      examples: ['2026-11-29T08:00:00Z', '2026-11-29T09:00:00+01:00'],
    });
}

export const everyParameter = z
  .string({ error: problemFor('a duration') })
  .transform((text, ctx) => {
    const ms = parseBucketDuration(text);
    if (ms === undefined || ms < MIN_BUCKET_MS) {
      ctx.addIssue({
        code: 'custom',
        message: `"${text}" is not a bucket width: use a whole number of minutes, hours or days, at least 1m (e.g. 5m, 1h, 1d)`,
      });
      return z.NEVER;
    }
    return { text, ms };
  })
  .meta({
    description:
      'Bucket width: a whole number followed by m (minutes), h (hours) or d (days), at least 1m. Buckets are aligned to local midnight in the city; 1d is one local calendar day.',
    examples: ['5m', '1h', '1d'],
  });

export const aggregateParameter = z
  .enum(AGGREGATES, { error: problemFor('an aggregate') })
  .describe(
    'How readings in a bucket are combined: mean, min, max, count, or a percentile p50, p90, p95, p98 (nearest rank: the reading at rank ⌊n·p/100 + 0.5⌋ of the n sorted readings, as InfluxDB 1.x PERCENTILE()).',
  );

export function limitParameter(defaultLimit: number, maxLimit: number) {
  return z.coerce
    .number({ error: `must be a whole number from 1 to ${maxLimit}` })
    .int({ error: `must be a whole number from 1 to ${maxLimit}` })
    .min(1, { error: `must be a whole number from 1 to ${maxLimit}` })
    .max(maxLimit, { error: `must be at most ${maxLimit}` })
    .describe(`Maximum number of items returned (default ${defaultLimit}, at most ${maxLimit}).`);
}
