import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import { decodeIndexRows, encodeIndexDetail } from '../index-detail.ts';
import type { IndexRow } from '../index-row.ts';
import type { IndexRange, StoredIndexQuery, StoredIndexSeries } from '../index-series-sink.ts';

/**
 * The air-quality index series in the embedded store's file (aqi/index-series-maintainer.ts keeps
 * them, /v1/aqi reads them): one row per hour or local day, standard, and city mean (device_id '')
 * or device; `detail` is the whole result as JSON (store/index-detail.ts), the other columns are
 * there for SQL users. `index_coverage` says, per local day, standard and period, when the
 * maintainer last computed it: a reader trusts a stored period only if it had ended by then.
 * No index: rows are written a day at a time in time order, so the ts zone maps skip the rest.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS index_series (
  city VARCHAR NOT NULL,
  device_id VARCHAR NOT NULL,
  standard VARCHAR NOT NULL,
  every VARCHAR NOT NULL,
  ts BIGINT NOT NULL,
  version VARCHAR NOT NULL,
  value DOUBLE,
  level INTEGER,
  primary_pollutants VARCHAR NOT NULL,
  incomplete BOOLEAN NOT NULL,
  detail VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS index_coverage (
  city VARCHAR NOT NULL,
  standard VARCHAR NOT NULL,
  every VARCHAR NOT NULL,
  day_from BIGINT NOT NULL,
  day_to BIGINT NOT NULL,
  computed_at BIGINT NOT NULL,
  revision VARCHAR NOT NULL
);
`;

const STAGING = `
CREATE TEMP TABLE index_series_staging (
  city VARCHAR, device_id VARCHAR, standard VARCHAR, every VARCHAR, ts BIGINT, version VARCHAR,
  value DOUBLE, level INTEGER, primary_pollutants VARCHAR, incomplete BOOLEAN, detail VARCHAR
);
`;

/** Creates the tables (if missing) and the writer's staging table; on the write connection. */
export async function createIndexSeriesTables(writer: DuckDBConnection): Promise<void> {
  await writer.run(SCHEMA);
  await writer.run(STAGING);
}

/** Must run on the write connection, one call at a time (it owns the staging table). */
export async function replaceIndexRows(
  writer: DuckDBConnection,
  range: IndexRange,
  rows: readonly IndexRow[],
): Promise<void> {
  await writer.run('DELETE FROM index_series_staging');
  const appender = await writer.createAppender('index_series_staging', 'main', 'temp');
  try {
    for (const row of rows) {
      appender.appendVarchar(row.city);
      appender.appendVarchar(row.deviceId ?? '');
      appender.appendVarchar(row.standard);
      appender.appendVarchar(row.every);
      appender.appendBigInt(BigInt(row.ts));
      appender.appendVarchar(row.version);
      if (row.value === null) appender.appendNull();
      else appender.appendDouble(row.value);
      if (row.level === null) appender.appendNull();
      else appender.appendInteger(row.level);
      appender.appendVarchar(row.primary.join(','));
      appender.appendBoolean(row.incomplete);
      appender.appendVarchar(encodeIndexDetail(row));
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  const standards = range.standards.map((_, k) => `$${k + 5}`).join(', ');
  const keys: DuckDBValue[] = [
    range.city,
    range.every,
    BigInt(range.from),
    BigInt(range.to),
    ...range.standards,
  ];
  const coverage = range.standards.flatMap((standard) =>
    range.days.map((day): DuckDBValue[] => [
      range.city,
      standard,
      range.every,
      BigInt(day.from),
      BigInt(day.to),
      BigInt(Math.round(range.computedAt)),
      range.revision,
    ]),
  );
  await writer.run('BEGIN TRANSACTION');
  try {
    await writer.run(
      `DELETE FROM index_series WHERE city = $1 AND every = $2 AND ts >= $3 AND ts < $4 AND standard IN (${standards})`,
      keys,
    );
    await writer.run(`INSERT INTO index_series SELECT * FROM index_series_staging`);
    await writer.run(
      `DELETE FROM index_coverage WHERE city = $1 AND every = $2 AND day_from >= $3 AND day_from < $4 AND standard IN (${standards})`,
      keys,
    );
    if (coverage.length > 0) {
      await writer.run(
        `INSERT INTO index_coverage VALUES ${coverage.map((_, k) => `(${[1, 2, 3, 4, 5, 6, 7].map((c) => `$${k * 7 + c}`).join(', ')})`).join(', ')}`,
        coverage.flat(),
      );
    }
    await writer.run('COMMIT');
  } catch (error) {
    await writer.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await writer.run('DELETE FROM index_series_staging');
}

const epochMs = z.bigint().transform(Number);
const rowSchema = z.object({ ts: epochMs, detail: z.string() });
const coverageSchema = z.object({ from: epochMs, to: epochMs, computedAt: epochMs, revision: z.string() });

export async function selectIndexSeries(
  connection: DuckDBConnection,
  query: StoredIndexQuery,
): Promise<StoredIndexSeries> {
  const rows = await connection.runAndReadAll(
    `SELECT ts, detail FROM index_series
     WHERE city = $1 AND device_id = $2 AND standard = $3 AND every = $4 AND ts >= $5 AND ts < $6
     ORDER BY ts`,
    [query.city, query.deviceId ?? '', query.standard, query.every, BigInt(query.from), BigInt(query.to)],
  );
  const coverage = await connection.runAndReadAll(
    `SELECT day_from AS "from", day_to AS "to", computed_at AS "computedAt", revision FROM index_coverage
     WHERE city = $1 AND standard = $2 AND every = $3 AND day_to > $4 AND day_from < $5
     ORDER BY day_from`,
    [query.city, query.standard, query.every, BigInt(query.from), BigInt(query.to)],
  );
  return {
    ...decodeIndexRows(
      query,
      rows.getRowObjectsJS().map((r) => rowSchema.parse(r)),
    ),
    coverage: coverage.getRowObjectsJS().map((r) => coverageSchema.parse(r)),
  };
}
