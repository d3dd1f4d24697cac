import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../../domain/errors.ts';
import { METRIC_IDS } from '../../domain/metrics.ts';
import type { Rejection } from '../../domain/reading.ts';
import type {
  Aggregate,
  DeviceSeries,
  LatestQuery,
  LatestValue,
  RejectionQuery,
  SensorActivity,
  SeriesQuery,
} from '../time-series-store.ts';

const DAY_MS = 86_400_000;
const epochMs = z.bigint().transform(Number);
const metric = z.enum(METRIC_IDS);
const errorCode = z
  .enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]])
  // A row written under a code later removed from the catalogue still reads back.
  .catch('INGEST_INVALID_PAYLOAD');

const latestRow = z.object({
  city: z.string(),
  deviceId: z.string(),
  metric,
  ts: epochMs,
  value: z.number(),
  timeSource: z.enum(['device', 'receive']).catch('device'),
});
const seriesRow = z.object({ deviceId: z.string(), ts: epochMs, value: z.number() });
const sensorRow = z.object({
  city: z.string(),
  deviceId: z.string(),
  metrics: z.array(metric),
  lastSeen: epochMs,
});
const rejectionRow = z.object({
  receivedAt: epochMs,
  city: z.string(),
  deviceId: z.string(),
  topic: z.string(),
  code: errorCode,
  reason: z.string(),
  payload: z.string(),
});

type Condition = readonly [sql: string, value: DuckDBValue | undefined];

/** AND of the conditions whose value is given; each condition's SQL holds one `?`. */
function where(conditions: readonly Condition[]): { sql: string; values: DuckDBValue[] } {
  const used = conditions.filter((c): c is readonly [string, DuckDBValue] => c[1] !== undefined);
  return {
    sql: used.length === 0 ? '' : `WHERE ${used.map(([sql]) => sql).join(' AND ')}`,
    values: used.map(([, value]) => value),
  };
}

async function rows<T>(
  connection: DuckDBConnection,
  sql: string,
  values: DuckDBValue[],
  schema: z.ZodType<T>,
): Promise<T[]> {
  const reader = await connection.runAndReadAll(sql, values);
  return reader.getRowObjectsJS().map((row) => schema.parse(row));
}

const ms = (value: number | undefined): bigint | undefined =>
  value === undefined ? undefined : BigInt(Math.round(value));

export async function selectLatest(connection: DuckDBConnection, query: LatestQuery): Promise<LatestValue[]> {
  const filter = where([
    ['city = ?', query.city],
    ['metric = ?', query.metric],
    ['device_id = ?', query.deviceId],
  ]);
  const sql = `SELECT city, device_id AS "deviceId", metric, max(ts) AS ts, arg_max(value, ts) AS value,
      arg_max(coalesce(time_source, 'device'), ts) AS "timeSource"
    FROM readings ${filter.sql} GROUP BY city, device_id, metric ORDER BY device_id, metric`;
  const found = await rows(connection, sql, filter.values, latestRow);
  // Device time is the default and left out, as on Reading.
  return found.map(({ timeSource, ...value }) =>
    timeSource === 'receive' ? { ...value, timeSource } : value,
  );
}

const AGGREGATE_SQL: Readonly<Record<Aggregate, string>> = {
  mean: 'avg(value)',
  min: 'min(value)',
  max: 'max(value)',
  count: 'CAST(count(value) AS DOUBLE)',
};

/**
 * ICU's time_bucket(width, timestamptz, zone) buckets in local wall-clock time: a width of whole
 * days is a calendar interval (a DST day is 23 or 25 hours long), and shorter widths are aligned
 * to local midnight, so 1-hour buckets in Asia/Kolkata start at :30 UTC.
 */
function bucketWidth(everyMs: number): { sql: string; value: DuckDBValue } {
  if (everyMs % DAY_MS === 0) return { sql: 'to_days(CAST(? AS INTEGER))', value: everyMs / DAY_MS };
  return { sql: 'to_milliseconds(CAST(? AS BIGINT))', value: BigInt(Math.round(everyMs)) };
}

export async function selectSeries(
  connection: DuckDBConnection,
  query: SeriesQuery,
): Promise<DeviceSeries[]> {
  const width = bucketWidth(query.everyMs);
  const filter = where([
    ['city = ?', query.city],
    ['metric = ?', query.metric],
    ['device_id = ?', query.deviceId],
    ['ts >= ?', ms(query.from)],
    ['ts < ?', ms(query.to)],
  ]);
  const bucket = `epoch_ms(time_bucket(${width.sql}, make_timestamptz(ts * 1000), CAST(? AS VARCHAR)))`;
  const sql = `SELECT device_id AS "deviceId", ${bucket} AS ts, ${AGGREGATE_SQL[query.agg]} AS value
    FROM readings ${filter.sql} GROUP BY ALL ORDER BY device_id, ts`;
  const found = await rows(connection, sql, [width.value, query.timeZone, ...filter.values], seriesRow);
  const series: { deviceId: string; points: { ts: number; value: number }[] }[] = [];
  for (const row of found) {
    const last = series.at(-1);
    const point = { ts: row.ts, value: row.value };
    if (last?.deviceId === row.deviceId) last.points.push(point);
    else series.push({ deviceId: row.deviceId, points: [point] });
  }
  return series;
}

export function selectSensors(
  connection: DuckDBConnection,
  query: { readonly city?: string },
): Promise<SensorActivity[]> {
  const filter = where([['city = ?', query.city]]);
  const sql = `SELECT city, device_id AS "deviceId", list(DISTINCT metric ORDER BY metric) AS metrics,
      max(ts) AS "lastSeen"
    FROM readings ${filter.sql} GROUP BY city, device_id ORDER BY city, device_id`;
  return rows(connection, sql, filter.values, sensorRow);
}

export function selectRejections(connection: DuckDBConnection, query: RejectionQuery): Promise<Rejection[]> {
  const filter = where([
    ['city = ?', query.city],
    ['device_id = ?', query.deviceId],
    ['received_at >= ?', ms(query.from)],
    ['received_at < ?', ms(query.to)],
  ]);
  const sql = `SELECT received_at AS "receivedAt", city, device_id AS "deviceId", topic, code, reason, payload
    FROM rejections ${filter.sql} ORDER BY received_at DESC, id DESC LIMIT ?`;
  const limit = BigInt(Math.max(0, Math.floor(query.limit)));
  return rows(connection, sql, [...filter.values, limit], rejectionRow);
}
