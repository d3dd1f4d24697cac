import type { DuckDBConnection } from '@duckdb/node-api';
import type { DayZoneOf } from '../rollup-days.ts';
import { HOUR_MS } from '../rollup-plan.ts';
import { recomputeFromHours } from './duckdb-city-hours.ts';
import type { CityHour } from './duckdb-rollup-days.ts';
import { withTransaction } from './duckdb-writes.ts';

/**
 * Raw retention of the embedded store (RAW_RETENTION_DAYS): raw readings older than the horizon
 * are deleted once their hours are rolled up, in the same transaction as that roll-up, so no raw
 * hour is ever deleted without its rollups. `raw_retention` remembers how far raw readings were
 * deleted: an hour before that has lost its raw readings, so a reading written there later (an
 * import of the past) is added to the hour's rollups and deleted, instead of recomputing the hour
 * from the raw readings left (which would drop what was deleted).
 */
export const RETENTION_SCHEMA = 'CREATE TABLE IF NOT EXISTS raw_retention (deleted_before BIGINT NOT NULL);';

/** Raw readings before this time (epoch ms, an hour start) were deleted; -Infinity: none. */
export interface RetentionState {
  deletedBefore: number;
}

export async function loadRetentionState(connection: DuckDBConnection): Promise<RetentionState> {
  const reader = await connection.runAndReadAll('SELECT max(deleted_before)::DOUBLE FROM raw_retention');
  const value = reader.getRows()[0]?.[0];
  return { deletedBefore: typeof value === 'number' ? value : Number.NEGATIVE_INFINITY };
}

const HOUR_OF = `ts - ((ts % ${HOUR_MS}) + ${HOUR_MS}) % ${HOUR_MS}`;

export const ROLLUP_OF = (filterSql: string) => `SELECT city, device_id, metric, ${HOUR_OF} AS hour,
    count(*) AS n, sum(value) AS total, min(value) AS low, max(value) AS high
  FROM readings ${filterSql} GROUP BY ALL`;

async function hoursOfReadings(writer: DuckDBConnection, from: number, to: number): Promise<CityHour[]> {
  const reader = await writer.runAndReadAll(
    `SELECT DISTINCT city, (${HOUR_OF})::DOUBLE FROM readings WHERE ts >= ? AND ts < ?`,
    [BigInt(Math.max(from, Number.MIN_SAFE_INTEGER)), BigInt(to)],
  );
  return reader.getRows().map(([city, hour]) => ({ city: String(city), hour: Number(hour) }));
}

/**
 * Adds the raw readings older than `before` (written after their hours lost their raw readings)
 * to their hours' rollups, then deletes them. Returns the hours changed. Run inside a transaction.
 */
export async function foldOldReadings(writer: DuckDBConnection, before: number): Promise<CityHour[]> {
  if (before === Number.NEGATIVE_INFINITY) return [];
  const hours = await hoursOfReadings(writer, Number.NEGATIVE_INFINITY, before);
  if (hours.length === 0) return [];
  const limit = BigInt(before);
  await writer.run(
    `INSERT OR REPLACE INTO readings_1h
     SELECT r.city, r.device_id, r.metric, r.hour, r.n + coalesce(o.n, 0), r.total + coalesce(o.total, 0),
       least(r.low, coalesce(o.low, r.low)), greatest(r.high, coalesce(o.high, r.high))
     FROM (${ROLLUP_OF('WHERE ts < ?')}) r
     LEFT JOIN readings_1h o ON o.city = r.city AND o.device_id = r.device_id AND o.metric = r.metric AND o.ts = r.hour`,
    [limit],
  );
  await writer.run('DELETE FROM readings WHERE ts < ?', [limit]);
  return hours;
}

/**
 * Rolls up the raw readings of [deletedBefore, horizon) (recomputing those hours and their days),
 * folds in any older ones, deletes every raw reading before the horizon, and records it: all in
 * one transaction, on the write connection.
 */
export async function applyRawRetention(
  writer: DuckDBConnection,
  horizon: number,
  state: RetentionState,
  zoneOf: DayZoneOf,
): Promise<void> {
  const before = Math.max(horizon, state.deletedBefore);
  await withTransaction(writer, async () => {
    const recent = await hoursOfReadings(writer, state.deletedBefore, before);
    if (recent.length > 0) {
      await writer.run(`INSERT OR REPLACE INTO readings_1h ${ROLLUP_OF('WHERE ts >= ? AND ts < ?')}`, [
        BigInt(Math.max(state.deletedBefore, Number.MIN_SAFE_INTEGER)),
        BigInt(before),
      ]);
    }
    const folded = await foldOldReadings(writer, state.deletedBefore);
    await recomputeFromHours(writer, [...recent, ...folded], zoneOf);
    await writer.run('DELETE FROM readings WHERE ts < ?', [BigInt(before)]);
    await writer.run('DELETE FROM raw_retention');
    await writer.run('INSERT INTO raw_retention VALUES (?)', [BigInt(before)]);
  });
  state.deletedBefore = before;
}
