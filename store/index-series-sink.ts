import type { IndexStandardId } from '../domain/air-quality/index.ts';
import type { IndexRow } from './index-row.ts';

/**
 * Where the index series live, kept by the store that holds the readings (TimeSeriesStore's
 * `indexSeries`): InfluxDB 1.x the `aqi` measurement, DuckDB the `index_series` table of its file.
 */
export interface IndexSeriesSink {
  /**
   * Replaces every stored row of `city` (city mean and devices) with period `every` and time in
   * [from, to) by `rows`: recomputed hours and days are rewritten whole, so a sub-index or a device
   * that is no longer there does not linger. Also records, per local day of the range and standard,
   * when it was computed (`coverage`), so readers know which stored periods they can trust.
   */
  replace(range: IndexRange, rows: readonly IndexRow[]): Promise<void>;
}

export interface IndexRange {
  readonly city: string;
  readonly every: '1h' | '1d';
  readonly from: number;
  readonly to: number;
  /** The standards the rows were computed for (rows of others in the range are left alone). */
  readonly standards: readonly IndexStandardId[];
  /** The local days [from, to) the range is made of, in order: one coverage entry each. */
  readonly days: readonly { readonly from: number; readonly to: number }[];
  /** When the rows were computed (epoch ms): periods that ended before it were complete then. */
  readonly computedAt: number;
  /** The code that computed them (aqi/index-revision.ts). */
  readonly revision: string;
}

/** What /v1/aqi asks the stored series for: one standard and period, the city or one device. */
export interface StoredIndexQuery {
  readonly city: string;
  /** One device's rows; absent: the city mean's. */
  readonly deviceId?: string;
  readonly standard: IndexStandardId;
  readonly every: '1h' | '1d';
  /** [from, to) epoch ms. */
  readonly from: number;
  readonly to: number;
  readonly signal?: AbortSignal;
}

/** A local day (or, for hourly rows, the hours of one local day) of one standard, computed at a time. */
export interface IndexCoverage {
  readonly from: number;
  readonly to: number;
  readonly computedAt: number;
  readonly revision: string;
}

export interface StoredIndexSeries {
  /** Ascending by ts. */
  readonly rows: readonly IndexRow[];
  /** Times of stored rows this code cannot read (not written by it): computed instead. */
  readonly unreadable: readonly number[];
  /** Ascending by from; the days of the range the maintainer has computed. */
  readonly coverage: readonly IndexCoverage[];
}

export interface IndexSeriesReader {
  read(query: StoredIndexQuery): Promise<StoredIndexSeries>;
}

/** The index series a store keeps: written by the maintainer, read by /v1/aqi. */
export type IndexSeriesStore = IndexSeriesSink & IndexSeriesReader;
