import type { DuckDBConnection } from '@duckdb/node-api';
import { type DayZoneOf, localDayOf } from '../rollup-days.ts';
import { HOUR_MS } from '../rollup-plan.ts';
import { rollupTableSchema } from './duckdb-schema.ts';
import { stage } from './duckdb-writes.ts';

/**
 * Daily rollups of the embedded store (rollup-days.ts): `readings_1d` holds per (city, device,
 * metric, local day) n, total, low, high, summed from `readings_1h`; `ts` is the local midnight.
 */
export const DAILY_SCHEMA = rollupTableSchema('readings_1d');

export interface CityHour {
  readonly city: string;
  readonly hour: number;
}

/**
 * Recomputes, for every device and metric, the days of each city holding these hours from the
 * hourly rollups. Every hour of such a day is listed with its day (zone-aware: 23 or 25 hours on
 * DST change days), so the day is summed with one equi-join and no per-row time zone arithmetic.
 * Must run on the write connection.
 */
export async function recomputeDays(
  writer: DuckDBConnection,
  hours: Iterable<CityHour>,
  zoneOf: DayZoneOf,
): Promise<void> {
  const days = new Map<string, { city: string; from: number; to: number }>();
  for (const { city, hour } of hours) {
    const zone = zoneOf(city);
    const day = zone === undefined ? undefined : localDayOf(hour, zone);
    if (day !== undefined) days.set(`${city}\u0000${day.from}`, { city, ...day });
  }
  if (days.size === 0) return;
  await writer.run('CREATE TEMP TABLE IF NOT EXISTS day_hours (city VARCHAR, day BIGINT, hour BIGINT)');
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  await stage(writer, 'day_hours', (appender) => {
    for (const { city, from, to } of days.values()) {
      for (let hour = from; hour < to; hour += HOUR_MS) {
        appender.appendVarchar(city);
        appender.appendBigInt(BigInt(from));
        appender.appendBigInt(BigInt(hour));
        appender.endRow();
      }
      first = Math.min(first, from);
      last = Math.max(last, to);
    }
  });
  await writer.run(
    `INSERT OR REPLACE INTO readings_1d
     SELECT h.city, h.device_id, h.metric, m.day, sum(h.n), sum(h.total), min(h.low), max(h.high)
     FROM readings_1h h JOIN day_hours m ON h.city = m.city AND h.ts = m.hour
     WHERE h.ts >= ? AND h.ts < ? GROUP BY ALL`,
    [BigInt(first), BigInt(last)],
  );
}

/** The hours rolled up in [from, to) (all of them without bounds), each city and hour once. */
export async function rolledUpHours(
  connection: DuckDBConnection,
  from = Number.MIN_SAFE_INTEGER,
  to = Number.MAX_SAFE_INTEGER,
): Promise<CityHour[]> {
  const reader = await connection.runAndReadAll(
    'SELECT DISTINCT city, ts::DOUBLE FROM readings_1h WHERE ts >= ? AND ts < ?',
    [BigInt(from), BigInt(to)],
  );
  return reader.getRows().map(([city, ts]) => ({ city: String(city), hour: Number(ts) }));
}
