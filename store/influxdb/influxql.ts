import { UcapError } from '../../domain/errors.ts';
import {
  type Aggregate,
  type LatestQuery,
  PERCENTILES,
  type RejectionQuery,
  type SeriesQuery,
} from '../time-series-store.ts';
import {
  quoteIdent,
  quoteString,
  READING_TAGS,
  READINGS,
  REJECTION_FIELDS,
  REJECTION_TAGS,
  REJECTIONS,
  TIME_SOURCE_FIELD,
  VALUE_FIELD,
} from './influx-schema.ts';

/**
 * InfluxQL text for the store's queries. Every value that reaches a query goes through
 * quoteString / quoteIdent / epochMs / a whole-number check: nothing is ever pasted in unescaped.
 */

/** An absolute time in epoch milliseconds: 1773136800000ms. */
export function epochMs(ms: number): string {
  return `${wholeNumber(ms, 'time (epoch ms)')}ms`;
}

function wholeNumber(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) {
    throw new UcapError('STORE_QUERY_FAILED', `${what} ${value} is not a whole number`);
  }
  return value;
}

const v = quoteIdent(VALUE_FIELD);

/** PERCENTILE() is nearest rank: the value at 1-based rank ⌊n·p/100 + 0.5⌋ of the sorted values. */
function percentileFunction(p: number): string {
  if (!Number.isInteger(p) || p < 1 || p > 100) throw new Error(`percentile ${p} is not 1–100`);
  return `percentile(${v}, ${p})`;
}

const AGGREGATE_EXPRESSION: Readonly<Record<Aggregate, string>> = {
  mean: `mean(${v})`,
  min: `min(${v})`,
  max: `max(${v})`,
  count: `count(${v})`,
  p50: percentileFunction(PERCENTILES.p50),
  p90: percentileFunction(PERCENTILES.p90),
  p95: percentileFunction(PERCENTILES.p95),
  p98: percentileFunction(PERCENTILES.p98),
};

export function where(conditions: ReadonlyArray<string | undefined>): string {
  const present = conditions.filter((c): c is string => c !== undefined);
  return present.length === 0 ? '' : ` WHERE ${present.join(' AND ')}`;
}

export function tagEquals(tag: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : `${quoteIdent(tag)} = ${quoteString(value)}`;
}

export function timeRange(from: number | undefined, to: number | undefined): Array<string | undefined> {
  return [
    from === undefined ? undefined : `time >= ${epochMs(from)}`,
    to === undefined ? undefined : `time < ${epochMs(to)}`,
  ];
}

export function createDatabaseQuery(database: string): string {
  return `CREATE DATABASE ${quoteIdent(database)}`;
}

/**
 * One series per (device, metric) whose only row is the newest point. A single selector (last)
 * beside a plain field returns that field from the same point, so the flag matches the value.
 */
export function latestQuery(query: LatestQuery): string {
  const filter = where([
    tagEquals(READING_TAGS.city, query.city),
    tagEquals(READING_TAGS.metric, query.metric),
    tagEquals(READING_TAGS.device, query.deviceId),
    ...timeRange(query.since, undefined),
  ]);
  return `SELECT last(${quoteIdent(VALUE_FIELD)}) AS ${quoteIdent(VALUE_FIELD)}, ${quoteIdent(TIME_SOURCE_FIELD)} FROM ${quoteIdent(READINGS)}${filter} GROUP BY ${quoteIdent(READING_TAGS.device)}, ${quoteIdent(READING_TAGS.metric)}`;
}

/** One series per (city, device, metric) whose only row is the newest point. */
export function sensorsQuery(query: { readonly city?: string }): string {
  const filter = where([tagEquals(READING_TAGS.city, query.city)]);
  return `SELECT last(${quoteIdent(VALUE_FIELD)}) AS ${quoteIdent(VALUE_FIELD)} FROM ${quoteIdent(READINGS)}${filter} GROUP BY ${quoteIdent(READING_TAGS.city)}, ${quoteIdent(READING_TAGS.device)}, ${quoteIdent(READING_TAGS.metric)}`;
}

// DuckDB's time_bucket (the embedded adapter) counts buckets from 2000-01-03 local time, InfluxDB
// from 1970-01-01 local time. Shifting InfluxDB's buckets by the difference modulo the width makes
// both adapters agree for every width, not only for widths that divide a day (offset 0): e.g.
// 7-day buckets start on Mondays in both.
const DUCKDB_BUCKET_ORIGIN_MS = Date.UTC(2000, 0, 3);

/**
 * Buckets in the query's time zone: tz() makes a 1-day bucket one local calendar day, 23 or 25
 * hours long on DST change days (InfluxDB 1.x supports tz()).
 */
export function seriesQuery(query: SeriesQuery): string {
  const filter = where([
    tagEquals(READING_TAGS.city, query.city),
    tagEquals(READING_TAGS.metric, query.metric),
    tagEquals(READING_TAGS.device, query.deviceId),
    ...timeRange(query.from, query.to),
  ]);
  const count = query.withCount === true ? `, count(${v}) AS "n"` : '';
  return `SELECT ${AGGREGATE_EXPRESSION[query.agg]} AS ${quoteIdent(VALUE_FIELD)}${count} FROM ${quoteIdent(READINGS)}${filter}${groupByBucket(query)}`;
}

/** GROUP BY of a series: one bucket per width in the query's zone, one series per device. */
export function groupByBucket(query: SeriesQuery): string {
  const every = wholeNumber(query.everyMs, 'bucket width (ms)');
  if (every < 1) throw new UcapError('STORE_QUERY_FAILED', `bucket width ${every} ms must be positive`);
  const offset = DUCKDB_BUCKET_ORIGIN_MS % every;
  const bucket = offset === 0 ? `${every}ms` : `${every}ms, ${offset}ms`;
  return ` GROUP BY time(${bucket}), ${quoteIdent(READING_TAGS.device)} fill(none) tz(${quoteString(query.timeZone)})`;
}

/**
 * Without GROUP BY every series merges into one, so ORDER BY and LIMIT apply across devices.
 * LIMIT 0 means "no limit" to InfluxDB: callers answer limit < 1 without asking.
 */
export function rejectionsQuery(query: RejectionQuery): string {
  const limit = wholeNumber(query.limit, 'limit');
  if (limit < 1) throw new UcapError('STORE_QUERY_FAILED', `limit ${limit} must be at least 1`);
  const columns = [...Object.values(REJECTION_TAGS), ...REJECTION_FIELDS].map(quoteIdent).join(', ');
  const filter = where([
    tagEquals(REJECTION_TAGS.city, query.city),
    tagEquals(REJECTION_TAGS.device, query.deviceId),
    ...timeRange(query.from, query.to),
  ]);
  return `SELECT ${columns} FROM ${quoteIdent(REJECTIONS)}${filter} ORDER BY time DESC LIMIT ${limit}`;
}
