import type { DuckDBConnection } from '@duckdb/node-api';
import { HOUR_MS, type HourKey, planRollupRead, type RollupPlan } from '../rollup-plan.ts';
import {
  type DeviceSeries,
  isPercentile,
  type RollupAggregate,
  type SeriesQuery,
} from '../time-series-store.ts';
import { type RowSource, selectBucketed, selectSeries, where } from './duckdb-queries.ts';

/**
 * Hourly rollups of the embedded store (rollup-plan.ts): `readings_1h` holds per (city, device,
 * metric, UTC hour) n, total, low, high. Every write recomputes the hours it touched from the raw
 * readings, in the same single-writer sequence as the write, so late readings and rewrites of a
 * value keep them exact.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS readings_1h (
  city VARCHAR NOT NULL,
  device_id VARCHAR NOT NULL,
  metric VARCHAR NOT NULL,
  ts BIGINT NOT NULL,
  n BIGINT NOT NULL,
  total DOUBLE NOT NULL,
  low DOUBLE NOT NULL,
  high DOUBLE NOT NULL,
  PRIMARY KEY (city, device_id, metric, ts)
);
`;

const HOUR_OF = `ts - ((ts % ${HOUR_MS}) + ${HOUR_MS}) % ${HOUR_MS}`;

const ROLLUP_OF = (filterSql: string) => `SELECT city, device_id, metric, ${HOUR_OF} AS hour,
    count(*) AS n, sum(value) AS total, min(value) AS low, max(value) AS high
  FROM readings ${filterSql} GROUP BY ALL`;

/** Creates the table; a file written before rollups existed gets them computed once, here. */
export async function createRollups(connection: DuckDBConnection): Promise<void> {
  await connection.run(SCHEMA);
  const empty = await connection.runAndReadAll(
    'SELECT (SELECT count(*) FROM readings_1h) = 0 AND (SELECT count(*) FROM readings) > 0 AS missing',
  );
  if (empty.getRowObjectsJS()[0]?.missing === true) {
    await connection.run(`INSERT INTO readings_1h ${ROLLUP_OF('')}`);
    return;
  }
  // Rollups are refreshed after writes, and at close for what is left: a process that stopped
  // without closing leaves its last hours behind. Recompute those (from the newest reading back).
  await connection.run(
    `INSERT OR REPLACE INTO readings_1h ${ROLLUP_OF(`WHERE ts >= (SELECT coalesce(max(ts), 0) FROM readings) - ${RECOMPUTED_ON_OPEN_MS}`)}`,
  );
}

/** How far back from the newest reading rollups are recomputed when the store opens. */
const RECOMPUTED_ON_OPEN_MS = 24 * HOUR_MS;

/** Recomputes these groups from the raw readings; must run on the write connection. */
export async function refreshRollups(writer: DuckDBConnection, keys: readonly HourKey[]): Promise<void> {
  if (keys.length === 0) return;
  await writer.run(`CREATE TEMP TABLE IF NOT EXISTS rollup_keys (
    city VARCHAR, device_id VARCHAR, metric VARCHAR, hour BIGINT
  ); DELETE FROM rollup_keys`);
  const appender = await writer.createAppender('rollup_keys', 'main', 'temp');
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  try {
    for (const key of keys) {
      appender.appendVarchar(key.city);
      appender.appendVarchar(key.deviceId);
      appender.appendVarchar(key.metric);
      appender.appendBigInt(BigInt(key.hour));
      appender.endRow();
      first = Math.min(first, key.hour);
      last = Math.max(last, key.hour);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
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

/** A series from rollups when the query allows it (planRollupRead), else from raw readings. */
export function selectSeriesFromRollups(
  connection: DuckDBConnection,
  query: SeriesQuery,
  staleFrom: number,
): Promise<DeviceSeries[]> {
  const plan = planRollupRead(query, staleFrom);
  const { agg } = query;
  if (plan === undefined || isPercentile(agg)) return selectSeries(connection, query);
  return selectBucketed(connection, query, rollupSource(query, plan, agg));
}

function rollupSource(query: SeriesQuery, plan: RollupPlan, agg: RollupAggregate): RowSource {
  const seriesFilter = (from: number, to: number) =>
    where([
      ['city = ?', query.city],
      ['metric = ?', query.metric],
      ['device_id = ?', query.deviceId],
      ['ts >= ?', BigInt(from)],
      ['ts < ?', BigInt(to)],
    ]);
  const parts = [seriesFilter(plan.rollup.from, plan.rollup.to)];
  const sql = [`SELECT device_id, ts, n, total, low, high FROM readings_1h ${parts[0]?.sql ?? ''}`];
  for (const edge of plan.raw) {
    const filter = seriesFilter(edge.from, edge.to);
    parts.push(filter);
    sql.push(
      `SELECT device_id, ts, 1 AS n, value AS total, value AS low, value AS high FROM readings ${filter.sql}`,
    );
  }
  return {
    sql: sql.join(' UNION ALL '),
    values: parts.flatMap((p) => p.values),
    aggregate: ROLLUP_AGGREGATE[agg],
    count: ROLLUP_AGGREGATE.count,
  };
}
