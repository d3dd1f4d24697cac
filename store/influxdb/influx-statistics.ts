import { z } from 'zod';
import type { DeviceSpacing, SpacingQuery } from '../time-series-store.ts';
import { rowsOf, type StatementResult } from './influx-results.ts';
import { quoteIdent, READING_TAGS, READINGS, VALUE_FIELD } from './influx-schema.ts';
import { tagEquals, timeRange, where } from './influxql.ts';

/**
 * Median gap between consecutive readings per device, from ELAPSED() in a subquery; the embedded
 * adapter computes the same (duckdb-statistics.ts).
 */
export function spacingQuery(query: SpacingQuery): string {
  const device = quoteIdent(READING_TAGS.device);
  const range = timeRange(query.from, query.to);
  const filter = where([
    tagEquals(READING_TAGS.city, query.city),
    tagEquals(READING_TAGS.metric, query.metric),
    tagEquals(READING_TAGS.device, query.deviceId),
    ...range,
  ]);
  const gaps = `SELECT elapsed(${quoteIdent(VALUE_FIELD)}, 1ms) AS gap FROM ${quoteIdent(READINGS)}${filter} GROUP BY ${device}`;
  return `SELECT median("gap") AS "medianMs" FROM (${gaps})${where(range)} GROUP BY ${device}`;
}

const spacingRow = z.object({ medianMs: z.number() });

export function toDeviceSpacing(result: StatementResult): DeviceSpacing[] {
  const found: DeviceSpacing[] = [];
  for (const series of result.series) {
    const row = rowsOf(series)[0];
    const parsed = spacingRow.safeParse(row);
    if (parsed.success) found.push({ deviceId: series.tags?.device ?? '', medianMs: parsed.data.medianMs });
  }
  return found.sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
}
