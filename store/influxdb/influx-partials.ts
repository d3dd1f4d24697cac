import type { Partial } from '../rollup-plan.ts';
import type { InfluxSeries, StatementResult } from './influx-results.ts';

/** A field of an hourly or daily rollup row (rollup-plan.ts): n, total, low, high. */
export type PartialField = keyof Partial;

export const ALL_FIELDS: readonly PartialField[] = ['n', 'total', 'low', 'high'];

/** Calls `visit` with each bucket of one device's answer that holds readings, in the answer's order. */
export type PartialRows = (visit: (ts: number, partial: Readonly<Partial>) => void) => void;

/** One device's part of a series: its buckets from one query. */
export interface DevicePart {
  readonly deviceId: string;
  readonly rows: PartialRows;
}

/** The parts of an answer grouped by device, each series' rows read by `rowsOf`. */
export function devicePartsOf(
  result: StatementResult,
  rowsOf: (series: InfluxSeries) => PartialRows,
): DevicePart[] {
  return result.series.map((series) => ({ deviceId: series.tags?.device ?? '', rows: rowsOf(series) }));
}

/**
 * Calls `visit` with each row of one answered series that holds readings (rows with n 0 or null,
 * or without a field the aggregate needs, are left out). Read by column index into one reused
 * object, no allocation per row: a city month is ~72k rows on the event loop.
 */
export function eachPartial(
  series: InfluxSeries,
  fields: readonly PartialField[],
  visit: (ts: number, partial: Readonly<Partial>) => void,
): void {
  const at = (name: PartialField | 'time') => series.columns.indexOf(name);
  const [ti, ni, si, li, hi] = [at('time'), at('n'), at('total'), at('low'), at('high')];
  // An answer without a column the aggregate needs has no usable row.
  if (fields.some((field) => at(field) < 0)) return;
  // A field not read is NaN: the aggregate of this query does not look at it.
  const partial = { n: 0, total: Number.NaN, low: Number.NaN, high: Number.NaN };
  for (const row of series.values) {
    const ts = row[ti];
    const n = row[ni];
    if (typeof ts !== 'number' || typeof n !== 'number' || n === 0) continue;
    const total = si < 0 ? Number.NaN : row[si];
    const low = li < 0 ? Number.NaN : row[li];
    const high = hi < 0 ? Number.NaN : row[hi];
    if (typeof total !== 'number' || typeof low !== 'number' || typeof high !== 'number') continue;
    partial.n = n;
    partial.total = total;
    partial.low = low;
    partial.high = high;
    visit(ts, partial);
  }
}
