import {
  type DuckDBConnection,
  DuckDBDoubleVector,
  type DuckDBValue,
  DuckDBVarCharVector,
} from '@duckdb/node-api';
import type { DeviceSeries, SeriesPoint } from '../time-series-store.ts';

/**
 * Runs a bucketed series query (columns "deviceId", ts, value; ordered by "deviceId", ts) and
 * reads it chunk by chunk straight from DuckDB's vectors: the device id is sent only on each
 * device's first row, ts and value as DOUBLE (typed-array reads). Decoding a VARCHAR per
 * row (a month of hourly points for a city is ~72k rows) used to be most of a series request's
 * event-loop time, which in `npm start` is also the devices' PUBACK time.
 */
export async function readSeries(
  connection: DuckDBConnection,
  sql: string,
  values: DuckDBValue[],
  withCount: boolean,
): Promise<DeviceSeries[]> {
  // With counts, the query has a column n: readings per bucket.
  const wrapped = `SELECT CASE WHEN row_number() OVER (PARTITION BY "deviceId" ORDER BY ts) = 1
        THEN "deviceId" END AS first_id,
      CAST(ts AS DOUBLE) AS ts, CAST(value AS DOUBLE) AS value${withCount ? ', CAST(n AS DOUBLE) AS n' : ''}
    FROM (${sql}) ORDER BY "deviceId", ts`;
  const result = await connection.stream(wrapped, values);
  const series: { deviceId: string; points: SeriesPoint[] }[] = [];
  let points: SeriesPoint[] = [];
  for (;;) {
    // Each chunk (up to 2,048 rows) is fetched asynchronously: the event loop runs in between.
    const chunk = await result.fetchChunk();
    // rowCount is a native call: read it once per chunk.
    const rows = chunk?.rowCount ?? 0;
    if (chunk === null || rows === 0) break;
    const ids = chunk.getColumnVector(0);
    const ts = chunk.getColumnVector(1);
    const value = chunk.getColumnVector(2);
    const counts = withCount ? chunk.getColumnVector(3) : undefined;
    if (
      !(ids instanceof DuckDBVarCharVector) ||
      !(ts instanceof DuckDBDoubleVector) ||
      !(value instanceof DuckDBDoubleVector) ||
      (counts !== undefined && !(counts instanceof DuckDBDoubleVector))
    )
      throw new Error('series query returned unexpected column types');
    for (let i = 0; i < rows; i += 1) {
      const id = ids.getItem(i);
      if (id !== null) {
        points = [];
        series.push({ deviceId: id, points });
      }
      // None is ever NULL: bucket starts, and aggregates of non-null values.
      const point = { ts: ts.getItem(i) as number, value: value.getItem(i) as number };
      points.push(counts === undefined ? point : { ...point, count: counts.getItem(i) as number });
    }
  }
  return series;
}
