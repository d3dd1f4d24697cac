import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { joinCityMeans } from '../city-mean.ts';
import { type DayZoneOf, planSeriesRead, type Range, type SeriesReadPlan } from '../rollup-days.ts';
import { HOUR_MS, type HourKey } from '../rollup-plan.ts';
import {
  type CityMeanSeries,
  type DeviceSeries,
  isPercentile,
  type RollupAggregate,
  type SeriesQuery,
} from '../time-series-store.ts';
import {
  CITY_HOURS_SCHEMA,
  createCityHours,
  recomputeFromHours,
  selectCityHours,
} from './duckdb-city-hours.ts';
import {
  metricReadingsFilter,
  type RowSource,
  selectBucketed,
  selectBucketedCityMean,
  selectCityMean,
  selectSeries,
  seriesSql,
  where,
} from './duckdb-queries.ts';
import {
  foldOldReadings,
  loadRetentionState,
  RETENTION_SCHEMA,
  type RetentionState,
  ROLLUP_OF,
} from './duckdb-retention.ts';
import { DAILY_SCHEMA, rolledUpHours } from './duckdb-rollup-days.ts';
import { rollupTableSchema } from './duckdb-schema.ts';
import { stage, withTransaction } from './duckdb-writes.ts';
import { readSeries } from './series-result.ts';

/**
 * Hourly and daily rollups of the embedded store (rollup-plan.ts, rollup-days.ts): `readings_1h`
 * holds per (city, device, metric, UTC hour) n, total, low, high, and `readings_1d` the same per
 * local day (duckdb-rollup-days.ts). Hours are recomputed from the raw readings once settled and
 * again when touched (rollup-scheduler.ts), their days summed again from the hours, in the same
 * single-writer sequence as the writes, so late readings and rewrites of a value keep them exact.
 */
const SCHEMA = `
${rollupTableSchema('readings_1h')}
${DAILY_SCHEMA}
${CITY_HOURS_SCHEMA}
${RETENTION_SCHEMA}
`;

/** What the rollups need to know besides the tables: the cities' zones and how far raw was deleted. */
export interface RollupContext {
  readonly zoneOf: DayZoneOf;
  readonly retention: RetentionState;
}

/**
 * Creates the tables; a file written before rollups existed gets them computed once, here.
 * Returns the retention state kept in the file.
 */
export async function createRollups(
  connection: DuckDBConnection,
  zoneOf: DayZoneOf,
): Promise<RetentionState> {
  await connection.run(SCHEMA);
  const empty = await connection.runAndReadAll(
    `SELECT (SELECT count(*) FROM readings_1h) = 0 AND (SELECT count(*) FROM readings) > 0 AS hours,
       (SELECT count(*) FROM readings_1d) = 0 AS days`,
  );
  const missing = empty.getRowObjectsJS()[0];
  if (missing?.hours === true) {
    await connection.run(`INSERT INTO readings_1h ${ROLLUP_OF('')}`);
    await recomputeFromHours(connection, await rolledUpHours(connection), zoneOf);
    return loadRetentionState(connection);
  }
  if (missing?.days === true) await recomputeFromHours(connection, await rolledUpHours(connection), zoneOf);
  await createCityHours(connection);
  // Rollups are refreshed after writes, and at close for what is left: a process that stopped
  // without closing leaves its last hours behind. Recompute those (from the newest reading back).
  const state = await loadRetentionState(connection);
  const newest = await connection.runAndReadAll('SELECT max(ts)::DOUBLE FROM readings');
  const end = newest.getRows()[0]?.[0];
  if (typeof end !== 'number') return state;
  // Whole hours: recomputing an hour from part of its readings would replace its rollup with less.
  const from = Math.max(Math.floor((end - RECOMPUTED_ON_OPEN_MS) / HOUR_MS) * HOUR_MS, state.deletedBefore);
  await connection.run(`INSERT OR REPLACE INTO readings_1h ${ROLLUP_OF('WHERE ts >= ?')}`, [BigInt(from)]);
  await recomputeFromHours(connection, await rolledUpHours(connection, from), zoneOf);
  return state;
}

/** How far back from the newest reading rollups are recomputed when the store opens. */
const RECOMPUTED_ON_OPEN_MS = 24 * HOUR_MS;

/**
 * Recomputes these groups from the raw readings, and their days; hours whose raw readings were
 * deleted by the retention get the readings written there since added instead. Must run on the
 * write connection.
 */
export async function refreshRollups(
  writer: DuckDBConnection,
  keys: readonly HourKey[],
  context: RollupContext,
): Promise<void> {
  if (keys.length === 0) return;
  const { deletedBefore } = context.retention;
  const recent = keys.filter((k) => k.hour >= deletedBefore);
  await withTransaction(writer, async () => {
    await recomputeHours(writer, recent);
    const folded = recent.length < keys.length ? await foldOldReadings(writer, deletedBefore) : [];
    await recomputeFromHours(writer, [...keys, ...folded], context.zoneOf);
  });
}

async function recomputeHours(writer: DuckDBConnection, keys: readonly HourKey[]): Promise<void> {
  if (keys.length === 0) return;
  await writer.run(`CREATE TEMP TABLE IF NOT EXISTS rollup_keys (
    city VARCHAR, device_id VARCHAR, metric VARCHAR, hour BIGINT
  )`);
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  await stage(writer, 'rollup_keys', (appender) => {
    for (const key of keys) {
      appender.appendVarchar(key.city);
      appender.appendVarchar(key.deviceId);
      appender.appendVarchar(key.metric);
      appender.appendBigInt(BigInt(key.hour));
      appender.endRow();
      first = Math.min(first, key.hour);
      last = Math.max(last, key.hour);
    }
  });
  // The time bounds let DuckDB skip row groups outside the batch's hours before the join.
  const filter = where([
    ['ts >= ?', BigInt(first)],
    ['ts < ?', BigInt(last + HOUR_MS)],
  ]);
  await writer.run(
    `INSERT OR REPLACE INTO readings_1h
     SELECT h.city, h.device_id, h.metric, h.hour, h.n, h.total, h.low, h.high
     FROM (${ROLLUP_OF(filter.sql)}) h
     JOIN rollup_keys k ON h.city = k.city AND h.device_id = k.device_id AND h.metric = k.metric AND h.hour = k.hour`,
    filter.values,
  );
}

const ROLLUP_AGGREGATE: Readonly<Record<RollupAggregate, string>> = {
  mean: 'sum(total) / sum(n)',
  min: 'min(low)',
  max: 'max(high)',
  count: 'CAST(sum(n) AS DOUBLE)',
};

/** A series from rollups when the query allows it (planSeriesRead), else from raw readings. */
export function selectSeriesFromRollups(
  connection: DuckDBConnection,
  query: SeriesQuery,
  staleFrom: number,
  zoneOf: DayZoneOf,
): Promise<DeviceSeries[]> {
  const { agg } = query;
  const plan = planSeriesRead(query, staleFrom, zoneOf);
  if (plan === undefined || isPercentile(agg)) return selectSeries(connection, query);
  if (query.everyMs === HOUR_MS && plan.daily.length === 0)
    return selectHoursAsStored(connection, query, plan, agg);
  return selectBucketed(connection, query, rollupSource(query, plan, agg));
}

/** ROLLUP_AGGREGATE of one hourly row: the same double, without grouping. */
const HOUR_ROW_VALUE: Readonly<Record<RollupAggregate, string>> = {
  mean: 'total / n',
  min: 'low',
  max: 'high',
  count: 'CAST(n AS DOUBLE)',
};

/**
 * Hourly buckets (rollups are only read where local hours are UTC hours): a settled hour's rollup
 * row is its bucket as stored, and only the raw readings of the other hours are grouped. Grouping
 * a city month's ~72k hourly rows again cost DuckDB ~18 ms of CPU per request.
 */
function selectHoursAsStored(
  connection: DuckDBConnection,
  query: SeriesQuery,
  plan: SeriesReadPlan,
  agg: RollupAggregate,
): Promise<DeviceSeries[]> {
  const count = query.withCount === true ? ', CAST(n AS DOUBLE) AS n' : '';
  const parts = plan.hourly.map((range) => {
    const filter = metricReadingsFilter({ ...query, ...range });
    return {
      sql: `SELECT device_id AS "deviceId", ts, ${HOUR_ROW_VALUE[agg]} AS value${count} FROM readings_1h ${filter.sql}`,
      values: filter.values,
    };
  });
  if (plan.raw.length > 0) {
    const [sql, values] = seriesSql(
      query,
      rollupSource(query, { daily: [], hourly: [], raw: plan.raw }, agg),
    );
    parts.push({ sql, values });
  }
  return readSeries(
    connection,
    parts.map((p) => p.sql).join(' UNION ALL '),
    parts.flatMap((p) => p.values),
    query.withCount === true,
  );
}

/** The city mean of the series selectSeriesFromRollups() gives, computed in the database. */
export async function selectCityMeanFromRollups(
  connection: DuckDBConnection,
  query: SeriesQuery,
  staleFrom: number,
  zoneOf: DayZoneOf,
): Promise<CityMeanSeries> {
  const { agg } = query;
  const plan = planSeriesRead(query, staleFrom, zoneOf);
  if (plan === undefined || isPercentile(agg)) return selectCityMean(connection, query);
  if (query.deviceId !== undefined || query.everyMs !== HOUR_MS || agg !== 'mean' || plan.daily.length > 0)
    return selectBucketedCityMean(connection, query, rollupSource(query, plan, agg));
  // A city's hourly means: settled hours from the city hours, the others from raw readings.
  const parts: CityMeanSeries[] = [await selectCityHours(connection, query, plan.hourly)];
  for (const range of plan.raw) parts.push(await selectCityMean(connection, { ...query, ...range }));
  return joinCityMeans(parts);
}

const PARTIAL_COLUMNS = 'device_id, ts, n, total, low, high';
const RAW_AS_PARTIAL = 'device_id, ts, 1 AS n, value AS total, value AS low, value AS high';

function rollupSource(query: SeriesQuery, plan: SeriesReadPlan, agg: RollupAggregate): RowSource {
  const parts: { sql: string; values: DuckDBValue[] }[] = [];
  const add = (table: string, columns: string, ranges: readonly Range[]) => {
    for (const range of ranges) {
      const filter = metricReadingsFilter({ ...query, ...range });
      parts.push({ sql: `SELECT ${columns} FROM ${table} ${filter.sql}`, values: filter.values });
    }
  };
  add('readings_1d', PARTIAL_COLUMNS, plan.daily);
  add('readings_1h', PARTIAL_COLUMNS, plan.hourly);
  add('readings', RAW_AS_PARTIAL, plan.raw);
  return {
    sql: parts.map((p) => p.sql).join(' UNION ALL '),
    values: parts.flatMap((p) => p.values),
    aggregate: ROLLUP_AGGREGATE[agg],
    count: ROLLUP_AGGREGATE.count,
  };
}
