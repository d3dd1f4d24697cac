import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { DayZoneOf, Range } from '../rollup-days.ts';
import { HOUR_MS } from '../rollup-plan.ts';
import type { SeriesPoint, SeriesQuery } from '../time-series-store.ts';
import { type CityHour, recomputeDays } from './duckdb-rollup-days.ts';
import { stage } from './duckdb-writes.ts';

/**
 * City hours of the embedded store: per (city, metric, UTC hour) how many devices have an hourly
 * rollup (`devices`) and the sum of their hourly means (`total`, added in device id order), so a
 * city's hourly mean — what air-quality assessments read — is one row instead of one per device.
 * Recomputed from `readings_1h` whenever hours of it are (recomputeFromHours).
 */
export const CITY_HOURS_SCHEMA = `
CREATE TABLE IF NOT EXISTS readings_1h_city (
  city VARCHAR NOT NULL,
  metric VARCHAR NOT NULL,
  ts BIGINT NOT NULL,
  devices BIGINT NOT NULL,
  total DOUBLE NOT NULL,
  PRIMARY KEY (city, metric, ts)
);
`;

const CITY_HOUR_OF = `SELECT city, metric, ts, count(*) AS devices, sum(total / n ORDER BY device_id) AS total
  FROM readings_1h`;

/** After hourly rollups of these hours changed: their days and their city hours. Write connection. */
export async function recomputeFromHours(
  writer: DuckDBConnection,
  hours: readonly CityHour[],
  zoneOf: DayZoneOf,
): Promise<void> {
  await recomputeDays(writer, hours, zoneOf);
  await recomputeCityHours(writer, hours);
}

/** A file whose hourly rollups predate city hours gets them all computed (once). */
export async function createCityHours(writer: DuckDBConnection): Promise<void> {
  await writer.run(CITY_HOURS_SCHEMA);
  const missing = await writer.runAndReadAll(
    'SELECT NOT EXISTS (FROM readings_1h_city) AND EXISTS (FROM readings_1h)',
  );
  if (missing.getRows()[0]?.[0] !== true) return;
  const bounds = await writer.runAndReadAll('SELECT min(ts)::DOUBLE, max(ts)::DOUBLE FROM readings_1h');
  const [first, last] = (bounds.getRows()[0] ?? []) as [number, number];
  for (let from = first; from <= last; from += WINDOW_MS) {
    await writer.run(
      `INSERT INTO readings_1h_city ${CITY_HOUR_OF} WHERE ts >= ? AND ts < ? GROUP BY city, metric, ts`,
      [BigInt(from), BigInt(from + WINDOW_MS)],
    );
  }
}

/**
 * Hours summed per statement: the ordered sums buffer every device's row of their hours, and a
 * month imported at once (200 devices × 4 metrics) outgrew a 256 MB buffer pool in one statement.
 */
const WINDOW_MS = 6 * HOUR_MS;

async function recomputeCityHours(writer: DuckDBConnection, hours: readonly CityHour[]): Promise<void> {
  const sorted = [...hours].sort((a, b) => a.hour - b.hour);
  for (let start = 0; start < sorted.length; ) {
    const windowEnd = (sorted[start] as CityHour).hour + WINDOW_MS;
    let end = start;
    while (end < sorted.length && (sorted[end] as CityHour).hour < windowEnd) end += 1;
    await recomputeCityHoursOf(writer, sorted.slice(start, end));
    start = end;
  }
}

async function recomputeCityHoursOf(writer: DuckDBConnection, hours: readonly CityHour[]): Promise<void> {
  if (hours.length === 0) return;
  await writer.run('CREATE TEMP TABLE IF NOT EXISTS city_hours (city VARCHAR, hour BIGINT)');
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  await stage(writer, 'city_hours', (appender) => {
    for (const { city, hour } of hours) {
      appender.appendVarchar(city);
      appender.appendBigInt(BigInt(hour));
      appender.endRow();
      first = Math.min(first, hour);
      last = Math.max(last, hour);
    }
  });
  const bounds = [BigInt(first), BigInt(last + HOUR_MS)];
  await writer.run(
    `DELETE FROM readings_1h_city c USING (SELECT DISTINCT city, hour FROM city_hours) k
     WHERE c.city = k.city AND c.ts = k.hour AND c.ts >= ? AND c.ts < ?`,
    bounds,
  );
  await writer.run(
    `INSERT OR REPLACE INTO readings_1h_city
     SELECT h.city, h.metric, h.ts, count(*), sum(h.total / h.n ORDER BY h.device_id)
     FROM readings_1h h JOIN (SELECT DISTINCT city, hour FROM city_hours) k ON h.city = k.city AND h.ts = k.hour
     WHERE h.ts >= ? AND h.ts < ? GROUP BY h.city, h.metric, h.ts`,
    bounds,
  );
}

/** A city's hourly means over these whole-hour ranges, and the devices behind them (sorted). */
export async function selectCityHours(
  connection: DuckDBConnection,
  query: Pick<SeriesQuery, 'city' | 'metric'>,
  ranges: readonly Range[],
): Promise<{ points: SeriesPoint[]; devices: string[] }> {
  if (ranges.length === 0) return { points: [], devices: [] };
  const within = ranges.map(() => '(ts >= ? AND ts < ?)').join(' OR ');
  const values: DuckDBValue[] = [
    query.city,
    query.metric,
    ...ranges.flatMap((r) => [BigInt(r.from), BigInt(r.to)]),
  ];
  // One connection runs one statement at a time.
  const hours = await connection.runAndReadAll(
    `SELECT ts::DOUBLE, total, devices::DOUBLE FROM readings_1h_city
     WHERE city = ? AND metric = ? AND (${within}) ORDER BY ts`,
    values,
  );
  const devices = await connection.runAndReadAll(
    `SELECT DISTINCT device_id FROM readings_1h WHERE city = ? AND metric = ? AND (${within}) ORDER BY 1`,
    values,
  );
  const [times = [], totals = [], counts = []] = hours.getColumnsJS() as [number[], number[], number[]];
  const points: SeriesPoint[] = times.map((ts, i) => {
    const count = counts[i] as number;
    const total = totals[i] as number;
    return { ts, value: count === 1 ? total : total / count };
  });
  return { points, devices: (devices.getColumnsJS()[0] ?? []) as string[] };
}
