import { type HourlyValue, indexHourly, meanAt } from './averaging.ts';
import { HOUR_MS } from './local-calendar.ts';
import { AQ_POLLUTANTS, type AqPollutant } from './pollutants.ts';

/** Hourly means per pollutant (µg/m³, CO mg/m³), `ts` = hour start. */
export type PollutantSeries = Readonly<Partial<Record<AqPollutant, readonly HourlyValue[]>>>;

/** The same series indexed by hour start, for repeated window look-ups. */
export type IndexedSeries = ReadonlyMap<AqPollutant, ReadonlyMap<number, number>>;

export function indexSeries(series: PollutantSeries): IndexedSeries {
  const indexed = new Map<AqPollutant, Map<number, number>>();
  for (const p of AQ_POLLUTANTS) {
    const s = series[p];
    if (s && s.length > 0) indexed.set(p, indexHourly(s));
  }
  return indexed;
}

/** Mean of the `hours` hours ending with the hour starting at `ts`, if at least `minHours` exist. */
export function trailingMean(
  byTs: ReadonlyMap<number, number> | undefined,
  ts: number,
  hours: number,
  minHours: number,
): number | undefined {
  if (!byTs) return undefined;
  const { count, value } = meanAt(
    byTs,
    Array.from({ length: hours }, (_, k) => ts - k * HOUR_MS),
  );
  return count >= minHours ? value : undefined;
}

/** Largest value at the given hour starts. */
export function maxAt(
  byTs: ReadonlyMap<number, number> | undefined,
  hours: readonly number[],
): number | undefined {
  if (!byTs) return undefined;
  let max: number | undefined;
  for (const ts of hours) {
    const v = byTs.get(ts);
    if (v !== undefined && (max === undefined || v > max)) max = v;
  }
  return max;
}

/** Drops undefined entries so optional-property types stay exact. */
export function defined<K extends string>(
  entries: Readonly<Record<K, number | undefined>>,
): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const key of Object.keys(entries) as K[]) {
    const v = entries[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}
