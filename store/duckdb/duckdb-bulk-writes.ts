import { DOUBLE, type DuckDBConnection, DuckDBDataChunk, INTEGER } from '@duckdb/node-api';
import type { Reading } from '../../domain/reading.ts';
import { lastPerKey } from '../last-per-key.ts';
import { inTransaction } from './duckdb-writes.ts';
import type { SeriesWatermarks } from './series-watermarks.ts';

/** Batches at least this large take the bulk path (imports, backfills); smaller ones insertReadings. */
export const BULK_WRITE_MIN = 2000;
/** DuckDB's vector size: rows per data chunk. */
const CHUNK_ROWS = 2048;

const STAGING = `
CREATE TEMP TABLE IF NOT EXISTS readings_bulk_series (
  series INTEGER, city VARCHAR, device_id VARCHAR, metric VARCHAR, time_source VARCHAR
);
CREATE TEMP TABLE IF NOT EXISTS readings_bulk_staging (series INTEGER, ts DOUBLE, value DOUBLE);
`;

interface SeriesOfBatch {
  readonly id: number;
  readonly first: Reading;
  minTs: number;
  maxTs: number;
  lastTs: number;
}

/**
 * insertReadings for large batches, same result. Appending a batch value by value (four strings
 * per reading through the appender) was the larger half of an import's time; here each series of
 * the batch (city, device, metric, time source) is staged once with a number, and the readings
 * travel as numbers in column chunks, moved by one join into `readings`. Must run on the write
 * connection, one call at a time.
 */
export async function insertReadingsBulk(
  connection: DuckDBConnection,
  readings: readonly Reading[],
  watermarks: SeriesWatermarks,
): Promise<void> {
  let unique = readings;
  let found = seriesOf(unique);
  if (found.duplicates) {
    unique = lastPerKey(readings);
    found = seriesOf(unique);
  }
  await connection.run(STAGING);
  await connection.run('DELETE FROM readings_bulk_series; DELETE FROM readings_bulk_staging;');
  const names = await connection.createAppender('readings_bulk_series', 'main', 'temp');
  try {
    for (const s of found.series) {
      names.appendInteger(s.id);
      names.appendVarchar(s.first.city);
      names.appendVarchar(s.first.deviceId);
      names.appendVarchar(s.first.metric);
      names.appendVarchar(s.first.timeSource ?? 'device');
      names.endRow();
    }
    names.flushSync();
  } finally {
    names.closeSync();
  }
  const values = await connection.createAppender('readings_bulk_staging', 'main', 'temp');
  try {
    for (let start = 0; start < unique.length; start += CHUNK_ROWS) {
      const count = Math.min(CHUNK_ROWS, unique.length - start);
      const ids = new Array<number>(count);
      const times = new Array<number>(count);
      const measured = new Array<number>(count);
      for (let i = 0; i < count; i++) {
        ids[i] = found.ids[start + i] as number;
        const r = unique[start + i] as Reading;
        times[i] = Math.round(r.ts);
        measured[i] = r.value;
      }
      const chunk = DuckDBDataChunk.create([INTEGER, DOUBLE, DOUBLE], count);
      chunk.setColumns([ids, times, measured]);
      values.appendDataChunk(chunk);
    }
    values.flushSync();
  } finally {
    values.closeSync();
  }
  // Readings that may replace a stored one: those of series with older readings stored.
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const s of found.series) {
    if (!watermarks.mayExist({ ...s.first, ts: s.minTs })) continue;
    from = Math.min(from, Math.round(s.minTs));
    to = Math.max(to, Math.round(s.maxTs));
  }
  const staged = `SELECT n.city, n.device_id, n.metric, CAST(s.ts AS BIGINT) AS ts, s.value, n.time_source
    FROM readings_bulk_staging AS s JOIN readings_bulk_series AS n USING (series)`;
  const replace =
    from > to
      ? ''
      : `DELETE FROM readings AS r USING (${staged}) AS s
       WHERE r.ts BETWEEN ${from} AND ${to}
         AND r.ts = s.ts AND r.device_id = s.device_id AND r.metric = s.metric AND r.city = s.city;`;
  await inTransaction(
    connection,
    `${replace}INSERT INTO readings (city, device_id, metric, ts, value, time_source) ${staged};`,
  );
  watermarks.advance(found.series.map((s) => ({ ...s.first, ts: s.maxTs })));
  await connection.run('DELETE FROM readings_bulk_series; DELETE FROM readings_bulk_staging;');
}

/**
 * Numbers each series of the batch (nested maps: no key string per reading) and notes whether a
 * series repeats a time (only then is the slower per-key de-duplication needed).
 */
function seriesOf(readings: readonly Reading[]): {
  series: SeriesOfBatch[];
  ids: Int32Array;
  duplicates: boolean;
} {
  const byCity = new Map<string, Map<string, Map<string, Map<string, SeriesOfBatch>>>>();
  const series: SeriesOfBatch[] = [];
  const ids = new Int32Array(readings.length);
  let duplicates = false;
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i] as Reading;
    const source = r.timeSource ?? 'device';
    const byDevice = child(byCity, r.city);
    const byMetric = child(byDevice, r.deviceId);
    const bySource = child(byMetric, r.metric);
    let s = bySource.get(source);
    if (s === undefined) {
      s = { id: series.length, first: r, minTs: r.ts, maxTs: r.ts, lastTs: Number.NEGATIVE_INFINITY };
      bySource.set(source, s);
      series.push(s);
    }
    // Two time sources of one series share keys: treat a second source as a possible duplicate.
    if (r.ts <= s.lastTs || bySource.size > 1) duplicates = true;
    s.lastTs = r.ts;
    if (r.ts < s.minTs) s.minTs = r.ts;
    if (r.ts > s.maxTs) s.maxTs = r.ts;
    ids[i] = s.id;
  }
  return { series, ids, duplicates };
}

function child<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let found = map.get(key);
  if (found === undefined) {
    found = new Map();
    map.set(key, found);
  }
  return found;
}
