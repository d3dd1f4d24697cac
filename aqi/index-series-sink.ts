import type { IndexRow } from './index-rows.ts';

/** Where the index series live. One implementation per store (InfluxDB: the `aqi` measurement). */
export interface IndexSeriesSink {
  /**
   * Replaces every stored row of `city` (city mean and devices) with period `every` and time in
   * [from, to) by `rows`: recomputed hours and days are rewritten whole, so a sub-index or a device
   * that is no longer there does not linger.
   */
  replace(range: IndexRange, rows: readonly IndexRow[]): Promise<void>;
  close(): Promise<void>;
}

export interface IndexRange {
  readonly city: string;
  readonly every: '1h' | '1d';
  readonly from: number;
  readonly to: number;
}
