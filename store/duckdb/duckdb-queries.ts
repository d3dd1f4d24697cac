import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../../domain/errors.ts';
import { METRIC_IDS } from '../../domain/metrics.ts';
import {
  MAX_KEPT_PAYLOAD_CHARS,
  MAX_KEPT_REASON_CHARS,
  type Reading,
  type Rejection,
} from '../../domain/reading.ts';
import { HOUR_MS, wholeHourOffsets } from '../rollup-plan.ts';
import {
  type Aggregate,
  type CityMeanSeries,
  type DeviceSeries,
  type LatestQuery,
  type LatestValue,
  PERCENTILES,
  type ReadingsQuery,
  type RejectionQuery,
  type SensorActivity,
  type SeriesPoint,
  type SeriesQuery,
} from '../time-series-store.ts';
import { readSeries } from './series-result.ts';

const DAY_MS = 86_400_000;
const epochMs = z.bigint().transform(Number);
const metric = z.enum(METRIC_IDS);
const errorCode = z
  .enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]])
  // A row written under a code later removed from the catalogue still reads back.
  .catch('INGEST_INVALID_PAYLOAD');

/** A stored reading (latest values and raw exports). */
const readingRow = z.object({
  city: z.string(),
  deviceId: z.string(),
  metric,
  ts: epochMs,
  value: z.number(),
  timeSource: z.enum(['device', 'receive']).catch('device'),
});
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

export type Condition = readonly [sql: string, value: DuckDBValue | undefined];

/** AND of the conditions whose value is given; each condition's SQL holds one `?`. */
export function where(conditions: readonly Condition[]): { sql: string; values: DuckDBValue[] } {
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

export const ms = (value: number | undefined): bigint | undefined =>
  value === undefined ? undefined : BigInt(Math.round(value));

export async function selectLatest(connection: DuckDBConnection, query: LatestQuery): Promise<LatestValue[]> {
  const filter = where([
    ['city = ?', query.city],
    ['metric = ?', query.metric],
    ['device_id = ?', query.deviceId],
    ['ts >= ?', ms(query.since)],
  ]);
  const sql = `SELECT city, device_id AS "deviceId", metric, max(ts) AS ts, arg_max(value, ts) AS value,
      arg_max(coalesce(time_source, 'device'), ts) AS "timeSource"
    FROM readings ${filter.sql} GROUP BY city, device_id, metric ORDER BY device_id, metric`;
  return withDefaultTimeSourceLeftOut(await rows(connection, sql, filter.values, readingRow));
}

/** Device time is the default and left out, as on Reading. */
function withDefaultTimeSourceLeftOut<T extends { timeSource: 'device' | 'receive' }>(
  found: readonly T[],
): Array<Omit<T, 'timeSource'> & { timeSource?: 'receive' }> {
  return found.map(({ timeSource, ...value }) =>
    timeSource === 'receive' ? { ...value, timeSource } : value,
  );
}

/**
 * InfluxDB 1.x PERCENTILE(): of the n values sorted ascending, the one at 1-based rank
 * ⌊n·p/100 + 0.5⌋, computed in doubles in the same order as InfluxQL does. DuckDB's
 * quantile_disc picks another rank for some n, so the rank is taken from the sorted list.
 */
export function percentileSql(p: number): string {
  if (!Number.isInteger(p) || p < 1 || p > 100) throw new Error(`percentile ${p} is not 1–100`);
  return `list_sort(list(value))[CAST(floor(CAST(count(value) AS DOUBLE) * ${p} / 100.0 + 0.5) AS BIGINT)]`;
}

const AGGREGATE_SQL: Readonly<Record<Aggregate, string>> = {
  mean: 'avg(value)',
  min: 'min(value)',
  max: 'max(value)',
  count: 'CAST(count(value) AS DOUBLE)',
  p50: percentileSql(PERCENTILES.p50),
  p90: percentileSql(PERCENTILES.p90),
  p95: percentileSql(PERCENTILES.p95),
  p98: percentileSql(PERCENTILES.p98),
};

/**
 * ICU's time_bucket(width, timestamptz, zone) buckets in local wall-clock time: a width of whole
 * days is a calendar interval (a DST day is 23 or 25 hours long), and shorter widths are aligned
 * to local midnight, so 1-hour buckets in Asia/Kolkata start at :30 UTC.
 */
function localBucket(everyMs: number, epochMsSql: string): { sql: string; value: DuckDBValue } {
  const width = everyMs % DAY_MS === 0 ? 'to_days(CAST(? AS INTEGER))' : 'to_milliseconds(CAST(? AS BIGINT))';
  const value = everyMs % DAY_MS === 0 ? everyMs / DAY_MS : BigInt(Math.round(everyMs));
  const sql = `epoch_ms(time_bucket(${width}, make_timestamptz((${epochMsSql}) * 1000), CAST(? AS VARCHAR)))`;
  return { sql, value };
}

/** Every zone offset and DST change since standard time is a multiple of 15 minutes. */
const SLICE_MS = 900_000;
const SLICE_START = `ts - ((ts % ${SLICE_MS}) + ${SLICE_MS}) % ${SLICE_MS}`;
const HOUR_START = `ts - ((ts % ${HOUR_MS}) + ${HOUR_MS}) % ${HOUR_MS}`;

/**
 * Rows to bucket: `device_id`, `ts` and the columns `aggregate` reads (raw readings, or hourly
 * rollups with the edges of the range from raw readings: duckdb-rollups.ts).
 */
export interface RowSource {
  readonly sql: string;
  readonly values: readonly DuckDBValue[];
  readonly aggregate: string;
  /** The number of readings, for queries `withCount`. */
  readonly count: string;
}

/** Readings of one metric of a city (one device when given) in [from, to). */
export function metricReadingsFilter(query: {
  readonly city: string;
  readonly metric: string;
  readonly deviceId?: string;
  readonly from: number;
  readonly to: number;
}): { sql: string; values: DuckDBValue[] } {
  return where([
    ['city = ?', query.city],
    ['metric = ?', query.metric],
    ['device_id = ?', query.deviceId],
    ['ts >= ?', ms(query.from)],
    ['ts < ?', ms(query.to)],
  ]);
}

function rawSource(query: SeriesQuery): RowSource {
  const filter = metricReadingsFilter(query);
  return {
    sql: `SELECT device_id, ts, value FROM readings ${filter.sql}`,
    values: filter.values,
    aggregate: AGGREGATE_SQL[query.agg],
    count: AGGREGATE_SQL.count,
  };
}

/**
 * Day buckets: ICU's zone-aware time_bucket costs ~10 µs a row, so it runs once per 15-minute UTC
 * slice holding data (on the slice's first and last millisecond) instead of once per reading.
 * Readings take their slice's bucket when both ends agree; a slice a local midnight cuts (a zone's
 * pre-standard-time offset such as Paris's +0:09:21 before 1911) falls back to bucketing each
 * reading. The aggregate still runs over the raw readings, so results match per-row bucketing.
 */
function dayBucketSql(query: SeriesQuery, source: RowSource): [sql: string, values: DuckDBValue[]] {
  const { everyMs, timeZone: zone } = query;
  const first = localBucket(everyMs, 'slice');
  const last = localBucket(everyMs, `slice + ${SLICE_MS - 1}`);
  const row = localBucket(everyMs, 'r.ts');
  const sql = `WITH r AS MATERIALIZED (
      SELECT *, ${SLICE_START} AS slice FROM (${source.sql})
    ),
    slices AS (
      SELECT slice, ${first.sql} AS b0, ${last.sql} AS b1 FROM (SELECT DISTINCT slice FROM r)
    )
    SELECT r.device_id AS "deviceId", CASE WHEN s.b0 = s.b1 THEN s.b0 ELSE ${row.sql} END AS ts,
      ${aggregateColumns(query, source)}
    FROM r JOIN slices s USING (slice) GROUP BY ALL`;
  // Placeholders in text order: the source (inside r), the slice ends, then the per-row fallback.
  return [sql, [...source.values, first.value, zone, last.value, zone, row.value, zone]];
}

export function selectSeries(connection: DuckDBConnection, query: SeriesQuery): Promise<DeviceSeries[]> {
  return selectBucketed(connection, query, rawSource(query));
}

export function selectBucketed(
  connection: DuckDBConnection,
  query: SeriesQuery,
  source: RowSource,
): Promise<DeviceSeries[]> {
  return readSeries(connection, ...seriesSql(query, source), query.withCount === true);
}

export function selectCityMean(connection: DuckDBConnection, query: SeriesQuery): Promise<CityMeanSeries> {
  return selectBucketedCityMean(connection, query, rawSource(query));
}

/**
 * The mean across devices of the bucketed series, in the database: only the city's buckets and
 * the device ids come back. The devices are added in id order, as cityMeanOf() does, so the
 * doubles are the same whichever computes them.
 */
export async function selectBucketedCityMean(
  connection: DuckDBConnection,
  query: SeriesQuery,
  source: RowSource,
): Promise<CityMeanSeries> {
  const [sql, values] = seriesSql({ ...query, withCount: false }, source);
  const reader = await connection.runAndReadAll(
    `WITH s AS MATERIALIZED (${sql})
    SELECT NULL::VARCHAR AS device, CAST(ts AS DOUBLE) AS ts,
      CAST(sum(value ORDER BY "deviceId") / count(*) AS DOUBLE) AS value
    FROM s GROUP BY ts
    UNION ALL SELECT DISTINCT "deviceId", NULL, NULL FROM s
    ORDER BY device NULLS FIRST, ts`,
    values,
  );
  const [devices = [], times = [], means = []] = reader.getColumnsJS() as [
    (string | null)[],
    (number | null)[],
    (number | null)[],
  ];
  const points: SeriesPoint[] = [];
  const ids: string[] = [];
  for (let i = 0; i < devices.length; i += 1) {
    const device = devices[i];
    if (device === null || device === undefined)
      points.push({ ts: times[i] as number, value: means[i] as number });
    else ids.push(device);
  }
  return { points, devices: ids };
}

function aggregateColumns(query: SeriesQuery, source: RowSource): string {
  return query.withCount === true
    ? `${source.aggregate} AS value, ${source.count} AS n`
    : `${source.aggregate} AS value`;
}

/** The bucketed series of `source` (columns "deviceId", ts, value, and n with counts; unordered). */
export function seriesSql(query: SeriesQuery, source: RowSource): [sql: string, values: DuckDBValue[]] {
  if (query.everyMs % DAY_MS === 0) return dayBucketSql(query, source);
  if (query.everyMs === HOUR_MS && wholeHourOffsets(query.timeZone, query.from, query.to)) {
    // Local hours are UTC hours here: plain arithmetic instead of ICU's zone-aware bucketing per row.
    const sql = `SELECT device_id AS "deviceId", ${HOUR_START} AS ts, ${aggregateColumns(query, source)}
      FROM (${source.sql}) GROUP BY ALL`;
    return [sql, [...source.values]];
  }
  const bucket = localBucket(query.everyMs, 'ts');
  const sql = `SELECT device_id AS "deviceId", ${bucket.sql} AS ts, ${aggregateColumns(query, source)}
    FROM (${source.sql}) GROUP BY ALL`;
  return [sql, [bucket.value, query.timeZone, ...source.values]];
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
  // Rows written before reasons were capped may hold megabytes: only the kept length is read.
  const sql = `SELECT received_at AS "receivedAt", city, device_id AS "deviceId", topic, code,
      left(reason, ${MAX_KEPT_REASON_CHARS + 1}) AS reason, left(payload, ${MAX_KEPT_PAYLOAD_CHARS + 1}) AS payload
    FROM rejections ${filter.sql} ORDER BY received_at DESC, id DESC LIMIT ?`;
  const limit = BigInt(Math.max(0, Math.floor(query.limit)));
  return rows(connection, sql, [...filter.values, limit], rejectionRow);
}

export async function selectReadings(connection: DuckDBConnection, query: ReadingsQuery): Promise<Reading[]> {
  if (query.deviceIds?.length === 0 || query.metrics?.length === 0) return [];
  const list = (items: readonly string[] | undefined) => items?.map(() => '?').join(', ');
  const metrics = list(query.metrics);
  const devices = list(query.deviceIds);
  // Strings cost most of a page to read back (each is decoded on its own, a device id longer than
  // 12 bytes through a native call): the city is the one asked for, the metric comes as its place in
  // the catalog (its name only when not there), the time source as a boolean, and each device's id
  // once per page beside a number on every row. A CSV export of 3.45M rows: ~20 % less time.
  const sql = `SELECT CASE WHEN row_number() OVER (PARTITION BY device_id) = 1 THEN device_id END AS device_first,
      CAST(dense_rank() OVER (ORDER BY device_id) AS INTEGER) AS device_code,
      metric_position, CASE WHEN metric_position IS NULL THEN metric END AS unknown_metric,
      ts::DOUBLE, value, time_source = 'receive' AS receive_time
    FROM (SELECT device_id, metric, ${METRIC_POSITION} AS metric_position, ts, value, time_source
      FROM readings WHERE city = ? AND ts >= ? AND ts < ?
      ${metrics === undefined ? '' : `AND metric IN (${metrics})`}
      ${devices === undefined ? '' : `AND device_id IN (${devices})`}
      ORDER BY ts, device_id, metric LIMIT ? OFFSET ?)
    ORDER BY ts, device_id, metric`;
  const values: DuckDBValue[] = [
    query.city,
    BigInt(Math.round(query.from)),
    BigInt(Math.round(query.to)),
    ...(query.metrics ?? []),
    ...(query.deviceIds ?? []),
    BigInt(Math.max(0, Math.floor(query.limit))),
    BigInt(Math.max(0, Math.floor(query.offset))),
  ];
  return readingsOfColumns(query.city, (await connection.runAndReadAll(sql, values)).getColumnsJS());
}

/**
 * Exports read millions of rows page by page: built column by column, without a schema parse and
 * a BigInt per row (a third of an export's time), the metric still checked against the catalog.
 */
function readingsOfColumns(city: string, columns: unknown[][]): Reading[] {
  const [firstIds, codes, positions, unknownMetrics, times, values, receiveTimes] = columns as [
    (string | null)[],
    number[],
    (number | null)[],
    (string | null)[],
    number[],
    number[],
    (boolean | null)[],
  ];
  // An empty result has no columns at all.
  const readings: Reading[] = new Array(codes?.length ?? 0);
  const devices: string[] = [];
  for (let i = 0; i < readings.length; i++) {
    const id = firstIds[i];
    if (id !== null && id !== undefined) devices[codes[i] as number] = id;
  }
  for (let i = 0; i < readings.length; i++) {
    const metricId = METRIC_IDS[(positions[i] ?? 0) - 1];
    if (metricId === undefined) throw new Error(`stored reading with unknown metric "${unknownMetrics[i]}"`);
    const reading: Reading = {
      city,
      deviceId: devices[codes[i] as number] as string,
      metric: metricId,
      ts: times[i] as number,
      value: values[i] as number,
    };
    readings[i] = receiveTimes[i] === true ? { ...reading, timeSource: 'receive' } : reading;
  }
  return readings;
}

/** A stored metric's 1-based place in METRIC_IDS, NULL for one not in the catalog. */
const METRIC_POSITION = `list_position([${METRIC_IDS.map((id) => `'${id}'`).join(', ')}], metric)`;
