import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import type { Reading, Rejection } from '../../domain/reading.ts';
import { lastPerKey } from '../last-per-key.ts';
import type { SeriesWatermarks } from './series-watermarks.ts';

/** Empties a connection-private table and fills it through an appender (far faster than bound rows). */
export async function stage(
  connection: DuckDBConnection,
  table: string,
  fill: (appender: DuckDBAppender) => void,
): Promise<void> {
  await connection.run(`DELETE FROM ${table}`);
  const appender = await connection.createAppender(table, 'main', 'temp');
  try {
    fill(appender);
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** Must run on the write connection, one call at a time (it owns the staging tables). */
export async function insertReadings(
  connection: DuckDBConnection,
  readings: readonly Reading[],
  watermarks: SeriesWatermarks,
): Promise<void> {
  const unique = lastPerKey(readings);
  // Time span of the readings that may replace a stored one (none: append only).
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  await stage(connection, 'readings_staging', (appender) => {
    for (const r of unique) {
      const ts = Math.round(r.ts);
      if (watermarks.mayExist(r)) {
        if (ts < from) from = ts;
        if (ts > to) to = ts;
      }
      appender.appendVarchar(r.city);
      appender.appendVarchar(r.deviceId);
      appender.appendVarchar(r.metric);
      appender.appendBigInt(BigInt(ts));
      appender.appendDouble(r.value);
      // Always written, never NULL: latest() reads it with arg_max, which skips NULLs.
      appender.appendVarchar(r.timeSource ?? 'device');
      appender.endRow();
    }
  });
  const insert = `INSERT INTO readings (city, device_id, metric, ts, value, time_source)
       SELECT city, device_id, metric, ts, value, time_source FROM readings_staging;`;
  // Replace, not add: a resent reading's old row goes in the same transaction. The ts bounds (whole
  // numbers, written into the text) let DuckDB skip every row group outside that time span.
  const replace =
    from > to
      ? ''
      : `DELETE FROM readings AS r USING readings_staging AS s
       WHERE r.ts BETWEEN ${from} AND ${to}
         AND r.ts = s.ts AND r.device_id = s.device_id AND r.metric = s.metric AND r.city = s.city;`;
  await inTransaction(connection, `${replace}${insert}`);
  watermarks.advance(unique);
  await connection.run('DELETE FROM readings_staging');
}

export async function insertRejections(
  connection: DuckDBConnection,
  rejections: readonly Rejection[],
): Promise<void> {
  await stage(connection, 'rejections_staging', (appender) => {
    for (const r of rejections) {
      appender.appendBigInt(BigInt(Math.round(r.receivedAt)));
      for (const text of [r.city, r.deviceId, r.topic, r.code, r.reason, r.payload]) {
        appender.appendVarchar(text);
      }
      appender.endRow();
    }
  });
  await connection.run(
    `INSERT INTO rejections (received_at, city, device_id, topic, code, reason, payload)
     SELECT * FROM rejections_staging`,
  );
  await connection.run('DELETE FROM rejections_staging');
}

/** A failed statement would leave the write connection inside an aborted transaction: roll it back. */
export async function inTransaction(connection: DuckDBConnection, statements: string): Promise<void> {
  await withTransaction(connection, () => connection.run(statements));
}

/** Runs `work` on the connection inside one transaction, rolled back if it throws. */
export async function withTransaction<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await work();
    await connection.run('COMMIT');
    return result;
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
