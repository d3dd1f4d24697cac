import { z } from 'zod';
import { METRIC_IDS } from '../../domain/metrics.ts';
import type { Reading } from '../../domain/reading.ts';
import type { ReadingsQuery } from '../time-series-store.ts';
import { rowsOf, type StatementResult } from './influx-results.ts';
import { quoteIdent, READINGS, TIME_SOURCE_FIELD, VALUE_FIELD } from './influx-schema.ts';
import { tagEquals, timeRange, where } from './influxql.ts';

/**
 * Raw readings for exports. Without GROUP BY, InfluxDB merges the city's series into one answer
 * ordered by time and, at equal times, by series key (city, device, metric): the order the port
 * promises, so LIMIT/OFFSET pages match the embedded store's.
 */
export function readingsQuery(query: ReadingsQuery): string | undefined {
  if (query.deviceIds?.length === 0 || query.metrics?.length === 0) return undefined;
  const anyOf = (tag: string, values: readonly string[] | undefined) =>
    values === undefined ? undefined : `(${values.map((v) => tagEquals(tag, v)).join(' OR ')})`;
  const filter = where([
    tagEquals('city', query.city),
    anyOf('metric', query.metrics),
    anyOf('device', query.deviceIds),
    ...timeRange(query.from, query.to),
  ]);
  const columns = [VALUE_FIELD, TIME_SOURCE_FIELD, 'device', 'metric'].map(quoteIdent).join(', ');
  const limit = Math.max(1, Math.floor(query.limit));
  const offset = Math.max(0, Math.floor(query.offset));
  return `SELECT ${columns} FROM ${quoteIdent(READINGS)}${filter} ORDER BY time ASC LIMIT ${limit}${offset > 0 ? ` OFFSET ${offset}` : ''}`;
}

const row = z.object({
  time: z.number(),
  value: z.number(),
  time_source: z.string().nullish(),
  device: z.string().nullish(),
  metric: z.enum(METRIC_IDS),
});

export function toReadings(result: StatementResult, city: string): Reading[] {
  const readings: Reading[] = [];
  for (const series of result.series) {
    for (const raw of rowsOf(series)) {
      const parsed = row.safeParse(raw);
      if (!parsed.success) continue;
      const { time, value, time_source, device, metric } = parsed.data;
      readings.push({
        ts: time,
        city,
        deviceId: device ?? '',
        metric,
        value,
        ...(time_source === 'receive' ? { timeSource: 'receive' as const } : {}),
      });
    }
  }
  return readings;
}
