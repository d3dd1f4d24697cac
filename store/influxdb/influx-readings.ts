import { isMetricId } from '../../domain/metrics.ts';
import type { Reading } from '../../domain/reading.ts';
import type { ReadingsQuery } from '../time-series-store.ts';
import type { StatementResult } from './influx-results.ts';
import { quoteIdent, READINGS, TIME_SOURCE_FIELD, VALUE_FIELD } from './influx-schema.ts';
import { tagEquals, timeRange, where } from './influxql.ts';

/** InfluxQL's LIMIT is a signed 64-bit integer; this stands for "all" where one is needed. */
const MAX_INFLUXQL_LIMIT = Number.MAX_SAFE_INTEGER;

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
  // An unbounded read (a whole export as one chunked statement) still needs a LIMIT for its OFFSET.
  const limit = Number.isFinite(query.limit) ? Math.max(1, Math.floor(query.limit)) : MAX_INFLUXQL_LIMIT;
  const offset = Math.max(0, Math.floor(query.offset));
  return `SELECT ${columns} FROM ${quoteIdent(READINGS)}${filter} ORDER BY time ASC LIMIT ${limit}${offset > 0 ? ` OFFSET ${offset}` : ''}`;
}

/**
 * The readings of a `readingsQuery` answer (or of one chunk of it), read column by column: an
 * export converts millions of rows, and an object and a schema check per row cost more than the
 * query. Rows whose time or value is not a number, or whose metric is not in the catalog, are
 * skipped, as a schema would.
 */
export function toReadings(result: StatementResult, city: string): Reading[] {
  const readings: Reading[] = [];
  for (const series of result.series) {
    const at = (column: string) => series.columns.indexOf(column);
    const [time, value, timeSource, device, metric] = [
      'time',
      VALUE_FIELD,
      TIME_SOURCE_FIELD,
      'device',
      'metric',
    ].map(at) as [number, number, number, number, number];
    for (const row of series.values) {
      const ts = row[time];
      const v = row[value];
      const m = row[metric];
      if (typeof ts !== 'number' || typeof v !== 'number' || typeof m !== 'string' || !isMetricId(m))
        continue;
      const deviceId = row[device];
      readings.push({
        ts,
        city,
        deviceId: typeof deviceId === 'string' ? deviceId : '',
        metric: m,
        value: v,
        ...(row[timeSource] === 'receive' ? { timeSource: 'receive' as const } : {}),
      });
    }
  }
  return readings;
}
