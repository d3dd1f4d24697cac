import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import type { DeviceSpacing, SpacingQuery } from '../time-series-store.ts';
import { metricReadingsFilter } from './duckdb-queries.ts';

const spacingRow = z.object({ deviceId: z.string(), medianMs: z.number() });

/**
 * Median gap between consecutive readings per device, as InfluxDB's MEDIAN(ELAPSED()) gives it
 * (store-conformance-statistics.ts checks both adapters agree).
 */
export async function selectReadingSpacing(
  connection: DuckDBConnection,
  query: SpacingQuery,
): Promise<DeviceSpacing[]> {
  const filter = metricReadingsFilter(query);
  const sql = `SELECT device_id AS "deviceId", median(gap) AS "medianMs" FROM (
      SELECT device_id, CAST(ts - lag(ts) OVER (PARTITION BY device_id ORDER BY ts) AS DOUBLE) AS gap
      FROM readings ${filter.sql}
    ) WHERE gap IS NOT NULL GROUP BY device_id ORDER BY device_id`;
  const reader = await connection.runAndReadAll(sql, filter.values);
  return reader.getRowObjectsJS().map((row) => spacingRow.parse(row));
}
