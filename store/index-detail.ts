import { z } from 'zod';
import type { IndexResult } from '../domain/air-quality/index.ts';
import { type IndexRow, indexRowOf } from './index-row.ts';
import type { StoredIndexQuery } from './index-series-sink.ts';

/**
 * What a stored index row keeps beyond its columns (DuckDB) or fields (InfluxDB `detail`): the
 * whole result /v1/aqi shows, as JSON, so a point read back is the point computed — concentrations,
 * rules and what was not computed included. One encoding for both stores.
 */
const detailSchema = z.object({
  date: z.string(),
  devices: z.array(z.string()),
  // The result is the air-quality module's own object, written by this code: its standard and
  // version are checked, the rest is taken as written.
  result: z.looseObject({ standard: z.enum(['eaqi', 'hj633', 'epa']), version: z.string() }),
});

export function encodeIndexDetail(row: IndexRow): string {
  return JSON.stringify({ date: row.date, devices: row.devices, result: row.result });
}

/**
 * A stored row back from the query that found it, its time and its detail; undefined for a detail
 * this code did not write (another writer's point, a damaged value): the period is then computed.
 */
export function decodeIndexDetail(query: StoredIndexQuery, ts: number, detail: string): IndexRow | undefined {
  try {
    const parsed = detailSchema.parse(JSON.parse(detail));
    if (parsed.result.standard !== query.standard) return undefined;
    return indexRowOf({
      ts,
      city: query.city,
      ...(query.deviceId === undefined ? {} : { deviceId: query.deviceId }),
      standard: query.standard,
      every: query.every,
      date: parsed.date,
      devices: parsed.devices,
      result: parsed.result as unknown as IndexResult,
    });
  } catch {
    return undefined;
  }
}

/** Rows read back, and the times of those that could not be. */
export function decodeIndexRows(
  query: StoredIndexQuery,
  stored: readonly { readonly ts: number; readonly detail: string }[],
): { rows: IndexRow[]; unreadable: number[] } {
  const rows: IndexRow[] = [];
  const unreadable: number[] = [];
  for (const { ts, detail } of stored) {
    const row = decodeIndexDetail(query, ts, detail);
    if (row === undefined) unreadable.push(ts);
    else rows.push(row);
  }
  return { rows, unreadable };
}
