import { z } from 'zod';
import { READINGS } from '../../store/influxdb/influx-schema.ts';

/** Stored readings of one metric per device id. */
export type StoredCounts = ReadonlyMap<string, number>;

/** The metric counted: QoS 1 fleet messages carry it, QoS 0 ones do not (see device-fleet.ts). */
export const COUNTED_METRIC = 'pm25';

const seriesCountSchema = z.object({
  series: z.array(z.object({ deviceId: z.string(), points: z.array(z.object({ value: z.number() })) })),
});

export interface ApiCountOptions {
  readonly apiUrl: string;
  readonly cities: readonly string[];
  /** [from, to) covering every ts the fleet sent. */
  readonly from: number;
  readonly to: number;
  readonly metric?: string;
}

/**
 * Counts stored readings per device through the REST API (GET /v1/series with agg=count and
 * one-day buckets over the whole range), as a user would; works on every store.
 */
export async function countStoredViaApi(options: ApiCountOptions): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const city of options.cities) {
    const query = new URLSearchParams({
      city,
      metric: options.metric ?? COUNTED_METRIC,
      from: new Date(options.from).toISOString(),
      to: new Date(options.to).toISOString(),
      every: '1d',
      agg: 'count',
    });
    const response = await fetch(`${options.apiUrl}/v1/series?${query}`);
    const text = await response.text();
    if (!response.ok) throw new Error(`GET /v1/series?${query} answered ${response.status}: ${text}`);
    for (const series of seriesCountSchema.parse(JSON.parse(text)).series) {
      const stored = series.points.reduce((sum, point) => sum + point.value, 0);
      counts.set(series.deviceId, (counts.get(series.deviceId) ?? 0) + stored);
    }
  }
  return counts;
}

const influxResultSchema = z.object({
  results: z.array(
    z.object({
      error: z.string().optional(),
      series: z
        .array(
          z.object({
            tags: z.record(z.string(), z.string()).optional(),
            values: z.array(z.array(z.union([z.number(), z.string(), z.null()]))),
          }),
        )
        .optional(),
    }),
  ),
});

export interface InfluxCountOptions {
  readonly influxUrl: string;
  readonly database: string;
  readonly metric?: string;
}

/**
 * Counts stored readings per device straight from InfluxDB 1.x:
 * `SELECT count(value) FROM readings WHERE metric='pm25' GROUP BY device`.
 */
export async function countStoredInInflux(options: InfluxCountOptions): Promise<Map<string, number>> {
  const metric = (options.metric ?? COUNTED_METRIC).replace(/'/g, "\\'");
  const q = `SELECT count(value) FROM "${READINGS}" WHERE metric='${metric}' GROUP BY device`;
  const query = new URLSearchParams({ db: options.database, q, epoch: 'ms' });
  const response = await fetch(`${options.influxUrl}/query?${query}`);
  const text = await response.text();
  if (!response.ok) throw new Error(`InfluxDB answered ${response.status} to ${q}: ${text}`);
  const counts = new Map<string, number>();
  for (const result of influxResultSchema.parse(JSON.parse(text)).results) {
    if (result.error !== undefined) throw new Error(`InfluxDB refused ${q}: ${result.error}`);
    for (const series of result.series ?? []) {
      const device = series.tags?.device;
      const count = series.values[0]?.[1];
      if (device !== undefined && typeof count === 'number') counts.set(device, count);
    }
  }
  return counts;
}

/** Total of a per-device count. */
export function sumCounts(counts: StoredCounts): number {
  let total = 0;
  for (const count of counts.values()) total += count;
  return total;
}
