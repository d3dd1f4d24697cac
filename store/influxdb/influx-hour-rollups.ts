import { Point } from '@influxdata/influxdb-client';
import { z } from 'zod';
import { HOUR_MS, type HourKey } from '../rollup-plan.ts';
import type { InfluxHttp } from './influx-http.ts';
import { ALL_FIELDS, type PartialField } from './influx-partials.ts';
import { rowsOf } from './influx-results.ts';
import { READINGS_1H } from './influx-rollup-days.ts';
import { quoteIdent, READINGS, VALUE_FIELD } from './influx-schema.ts';
import { tagEquals, timeRange, where } from './influxql.ts';

/**
 * Hourly rollup rows (readings_1h, see influx-rollups.ts) computed from the raw readings: by
 * InfluxDB itself for whole ranges (SELECT … INTO), or read back and written as points for the
 * groups a write touched.
 */

/** One hour of one group as InfluxDB answers it: count, sum, min and max of its readings. */
export const partialRow = z.object({
  time: z.number(),
  n: z.number(),
  total: z.number(),
  low: z.number(),
  high: z.number(),
});

const v = quoteIdent(VALUE_FIELD);

export type PartialSource = 'raw' | 'rollup';

/** Each field of a partial, from raw readings or summed from rollup rows (hourly or daily). */
const PARTIAL_EXPRESSIONS: Readonly<Record<PartialField, Readonly<Record<PartialSource, string>>>> = {
  n: { raw: `count(${v})`, rollup: 'sum("n")' },
  total: { raw: `sum(${v})`, rollup: 'sum("total")' },
  low: { raw: `min(${v})`, rollup: 'min("low")' },
  high: { raw: `max(${v})`, rollup: 'max("high")' },
};

export function selectList(fields: readonly PartialField[], source: PartialSource): string {
  return fields.map((f) => `${PARTIAL_EXPRESSIONS[f][source]} AS ${quoteIdent(f)}`).join(', ');
}

export const RAW_FIELDS = selectList(ALL_FIELDS, 'raw');

/** Recomputes exactly these groups' hours from the raw readings and writes them back as points. */
export async function refreshHours(http: InfluxHttp, keys: readonly HourKey[]): Promise<void> {
  if (keys.length === 0) return;
  const wanted = new Set(keys.map((k) => `${k.city}\u0000${k.deviceId}\u0000${k.metric}\u0000${k.hour}`));
  const cities = [...new Set(keys.map((k) => k.city))];
  const lines: string[] = [];
  for (const run of hourRuns(keys.map((k) => k.hour))) {
    const cityFilter = cities.map((c) => tagEquals('city', c)).join(' OR ');
    const filter = where([`(${cityFilter})`, ...timeRange(run.from, run.to)]);
    const result = await http.query(
      `SELECT ${RAW_FIELDS} FROM ${quoteIdent(READINGS)}${filter} GROUP BY time(1h), "city", "device", "metric" fill(none)`,
    );
    for (const series of result.series) {
      const tags = series.tags ?? {};
      const [city, deviceId, metric] = [tags.city ?? '', tags.device ?? '', tags.metric ?? ''];
      for (const row of rowsOf(series)) {
        const parsed = partialRow.safeParse(row);
        if (!parsed.success || parsed.data.n === 0) continue;
        if (!wanted.has(`${city}\u0000${deviceId}\u0000${metric}\u0000${parsed.data.time}`)) continue;
        lines.push(rollupLine(city, deviceId, metric, parsed.data));
      }
    }
  }
  for (let i = 0; i < lines.length; i += 5000) await http.write(lines.slice(i, i + 5000), 'ms');
}

/** Consecutive hours merged into [from, to) runs, so a batch of recent readings is one query. */
export function hourRuns(hours: readonly number[]): { from: number; to: number }[] {
  const sorted = [...new Set(hours)].sort((a, b) => a - b);
  const runs: { from: number; to: number }[] = [];
  for (const hour of sorted) {
    const last = runs.at(-1);
    if (last !== undefined && last.to === hour && last.to - last.from < MAX_RUN_MS) last.to = hour + HOUR_MS;
    else runs.push({ from: hour, to: hour + HOUR_MS });
  }
  return runs;
}

/**
 * Hours per rollup query: a month imported at once (200 devices × 4 metrics) made one query that
 * InfluxDB 1.6 could not answer within the request timeout, so its rollups were never written.
 */
const MAX_RUN_MS = 6 * HOUR_MS;

export function rollupLine(
  city: string,
  deviceId: string,
  metric: string,
  p: z.infer<typeof partialRow>,
): string {
  const line = new Point(READINGS_1H)
    .tag('city', city)
    .tag('device', deviceId)
    .tag('metric', metric)
    .intField('n', p.n)
    .floatField('total', p.total)
    .floatField('low', p.low)
    .floatField('high', p.high)
    .timestamp(String(p.time))
    .toLineProtocol();
  return line ?? '';
}

/** Rollups of [from, to) from raw readings, written by InfluxDB itself (SELECT … INTO). */
export async function computeInto(http: InfluxHttp, from: number, to: number): Promise<void> {
  const filter = where(timeRange(from, to));
  await http.query(
    `SELECT ${RAW_FIELDS} INTO ${quoteIdent(READINGS_1H)} FROM ${quoteIdent(READINGS)}${filter} GROUP BY time(1h), "city", "device", "metric" fill(none)`,
  );
}
