import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../../domain/errors.ts';
import { isMetricId, type MetricId } from '../../domain/metrics.ts';
import type { Rejection } from '../../domain/reading.ts';
import type { DeviceSeries, LatestValue, SensorActivity, SeriesPoint } from '../time-series-store.ts';

/** The JSON of InfluxQL's `/query` (v1 API, also served by 2.x/3.x), as far as the store reads it. */
const seriesSchema = z.object({
  name: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  columns: z.array(z.string()),
  // One check over all rows (a series can hold ~100k): a schema per row cost more than the query.
  values: z
    .custom<unknown[][]>((v) => Array.isArray(v) && v.every(Array.isArray), 'an array of rows')
    .default([]),
});
const statementSchema = z.object({
  statement_id: z.number().optional(),
  series: z.array(seriesSchema).default([]),
  error: z.string().optional(),
});
export const queryResponseSchema = z.object({
  results: z.array(statementSchema).default([]),
  error: z.string().optional(),
});

export type InfluxSeries = z.infer<typeof seriesSchema>;
export type StatementResult = z.infer<typeof statementSchema>;

/** Rows of one series as objects keyed by column name. */
export function rowsOf(series: InfluxSeries): Array<Record<string, unknown>> {
  return series.values.map((values) => Object.fromEntries(series.columns.map((c, i) => [c, values[i]])));
}

const pointRow = z.object({ time: z.number(), value: z.number() });

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface TaggedPoint {
  readonly city: string;
  readonly deviceId: string;
  readonly metric: MetricId;
  readonly ts: number;
  readonly value: number;
}

/** The newest point of each (city?, device, metric) series; unknown metric tags are skipped. */
function newestPoints<E extends object = object>(
  result: StatementResult,
  city?: string,
  extra: (row: Record<string, unknown>) => E = () => ({}) as E,
): Array<TaggedPoint & E> {
  const points: Array<TaggedPoint & E> = [];
  for (const series of result.series) {
    const metric = series.tags?.metric ?? '';
    const row = rowsOf(series)[0];
    if (!isMetricId(metric) || row === undefined) continue;
    const { time, value } = pointRow.parse(row);
    const seriesCity = city ?? series.tags?.city ?? '';
    const deviceId = series.tags?.device ?? '';
    points.push({ city: seriesCity, deviceId, metric, ts: time, value, ...extra(row) });
  }
  return points;
}

// Null on points written before the flag was stored: device time, the default.
const timeSourceRow = z.object({ time_source: z.enum(['device', 'receive']).catch('device') });

export function toLatestValues(result: StatementResult, city: string): LatestValue[] {
  const points: LatestValue[] = newestPoints(result, city, (row) =>
    timeSourceRow.parse(row).time_source === 'receive' ? { timeSource: 'receive' } : {},
  );
  return points.sort((a, b) => byText(a.deviceId, b.deviceId) || byText(a.metric, b.metric));
}

export function toSensors(result: StatementResult): SensorActivity[] {
  const byDevice = new Map<
    string,
    { city: string; deviceId: string; metrics: MetricId[]; lastSeen: number }
  >();
  for (const point of newestPoints(result)) {
    const key = `${point.city}\u0000${point.deviceId}`;
    const entry = byDevice.get(key) ?? {
      city: point.city,
      deviceId: point.deviceId,
      metrics: [],
      lastSeen: point.ts,
    };
    entry.metrics.push(point.metric);
    entry.lastSeen = Math.max(entry.lastSeen, point.ts);
    byDevice.set(key, entry);
  }
  return [...byDevice.values()]
    .map((s) => ({ ...s, metrics: [...new Set(s.metrics)].sort(byText) }))
    .sort((a, b) => byText(a.city, b.city) || byText(a.deviceId, b.deviceId));
}

/**
 * Series points; with `withCount`, each carries the `n` column as its count. Read by column index
 * with a type check per cell rather than a schema per row: a month of hourly points for a city is
 * ~72k rows, and this runs on the event loop.
 */
export function toDeviceSeries(result: StatementResult, withCount = false): DeviceSeries[] {
  return result.series
    .map((series) => {
      const time = series.columns.indexOf('time');
      const value = series.columns.indexOf('value');
      const n = withCount ? series.columns.indexOf('n') : -1;
      const points: SeriesPoint[] = [];
      for (const row of series.values) {
        const ts = row[time];
        const v = row[value];
        if (typeof ts !== 'number' || typeof v !== 'number') {
          // fill(none) leaves no empty bucket: anything else is an answer we do not understand.
          throw new Error(
            `InfluxDB answered a series point without a numeric time and value: ${JSON.stringify(row)}`,
          );
        }
        if (n < 0) points.push({ ts, value: v });
        else {
          const count = row[n];
          if (typeof count !== 'number')
            throw new Error(`InfluxDB answered a point without its count: ${JSON.stringify(row)}`);
          points.push({ ts, value: v, count });
        }
      }
      return { deviceId: series.tags?.device ?? '', points: points.sort((a, b) => a.ts - b.ts) };
    })
    .filter((s) => s.points.length > 0)
    .sort((a, b) => byText(a.deviceId, b.deviceId));
}

const errorCodes = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];
// A missing tag or field (an empty device id is stored without its tag) reads back as ''.
const text = z
  .string()
  .nullish()
  .transform((v) => v ?? '');
const rejectionRow = z.object({
  time: z.number(),
  city: text,
  device: text,
  // A code retired from the catalogue since the rejection was stored still shows its reason.
  code: z.enum(errorCodes).catch('INGEST_INVALID_PAYLOAD'),
  reason: text,
  topic: text,
  payload: text,
});

export function toRejections(result: StatementResult): Rejection[] {
  return result.series.flatMap(rowsOf).map((row) => {
    const r = rejectionRow.parse(row);
    return {
      receivedAt: r.time,
      city: r.city,
      deviceId: r.device,
      topic: r.topic,
      code: r.code,
      reason: r.reason,
      payload: r.payload,
    };
  });
}
