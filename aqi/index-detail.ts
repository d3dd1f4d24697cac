import { z } from 'zod';
import type { IndexResult } from '../domain/air-quality/index.ts';
import { UcapError } from '../domain/errors.ts';
import { type IndexRow, indexRowOf } from './index-rows.ts';
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
 * A stored row back from the query that found it, its time and its detail; a detail this code did
 * not write is refused.
 */
export function decodeIndexDetail(query: StoredIndexQuery, ts: number, detail: string): IndexRow {
  const key = {
    ts,
    city: query.city,
    ...(query.deviceId === undefined ? {} : { deviceId: query.deviceId }),
    standard: query.standard,
    every: query.every,
  };
  let parsed: z.infer<typeof detailSchema>;
  try {
    parsed = detailSchema.parse(JSON.parse(detail));
  } catch (error) {
    throw new UcapError(
      'STORE_QUERY_FAILED',
      `stored index row of ${key.city} at ${new Date(key.ts).toISOString()} is unreadable: ${String(error)}`,
    );
  }
  if (parsed.result.standard !== key.standard) {
    throw new UcapError(
      'STORE_QUERY_FAILED',
      `stored index row of ${key.city} at ${new Date(key.ts).toISOString()} holds ${parsed.result.standard}, not ${key.standard}`,
    );
  }
  return indexRowOf({
    ...key,
    date: parsed.date,
    devices: parsed.devices,
    result: parsed.result as unknown as IndexResult,
  });
}
