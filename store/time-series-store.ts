import type { MetricId } from '../domain/metrics.ts';
import type { Reading, Rejection, TimeSource } from '../domain/reading.ts';
import type { IndexSeriesStore } from './index-series-sink.ts';

/**
 * The time-series store port. Two adapters implement it (store/influxdb/, store/duckdb/) and both
 * pass the one conformance suite in tests/store/store-conformance.ts: same data in, same answers out.
 *
 * Conventions shared by every adapter:
 * - times are epoch milliseconds, UTC; ranges are [from, to) — from inclusive, to exclusive;
 * - a reading is identified by (city, deviceId, metric, ts): writing it again replaces the value
 *   (MQTT QoS 1 redelivers, so writes must be idempotent);
 * - results are sorted as documented on each method, so callers and tests can rely on order.
 */
export type RollupAggregate = 'mean' | 'min' | 'max' | 'count';
/**
 * Percentiles by nearest rank as InfluxDB 1.x's PERCENTILE() computes them, so both adapters agree:
 * of the n readings sorted ascending, the one at rank ⌊n·p/100 + 0.5⌋ (1-based; n·p/100 rounded
 * half up). Always one of the readings, never an interpolation. They cannot come from rollups.
 */
export type PercentileAggregate = 'p50' | 'p90' | 'p95' | 'p98';
export type Aggregate = RollupAggregate | PercentileAggregate;
export const PERCENTILES: Readonly<Record<PercentileAggregate, number>> = {
  p50: 50,
  p90: 90,
  p95: 95,
  p98: 98,
};
/** What rollups keep: all a range whose raw readings were deleted (RAW_RETENTION_DAYS) can answer. */
export const ROLLUP_AGGREGATES: readonly RollupAggregate[] = ['mean', 'min', 'max', 'count'];
export const AGGREGATES: readonly Aggregate[] = [
  ...ROLLUP_AGGREGATES,
  ...(Object.keys(PERCENTILES) as PercentileAggregate[]),
];

export function isPercentile(agg: Aggregate): agg is PercentileAggregate {
  return agg in PERCENTILES;
}

/** Cancels a query: the adapter stops the store's work (InfluxDB request aborted, DuckDB interrupted). */
export interface Cancellable {
  readonly signal?: AbortSignal;
}

export interface LatestQuery extends Cancellable {
  readonly city: string;
  readonly metric?: MetricId;
  readonly deviceId?: string;
  /** Only readings at or after this time (epoch ms): a cheap refresh of what changed lately. */
  readonly since?: number;
}

export interface LatestValue {
  readonly city: string;
  readonly deviceId: string;
  readonly metric: MetricId;
  readonly ts: number;
  readonly value: number;
  /**
   * As on Reading: 'receive' when the stored reading was stamped with ingest's receive time;
   * absent for device time, including rows written before the flag was stored.
   */
  readonly timeSource?: TimeSource;
}

export interface SeriesQuery extends Cancellable {
  readonly city: string;
  readonly metric: MetricId;
  /** One device, or every device of the city (one series each) when absent. */
  readonly deviceId?: string;
  readonly from: number;
  readonly to: number;
  /** Bucket width in ms (at least 1000). */
  readonly everyMs: number;
  readonly agg: Aggregate;
  /**
   * IANA zone the buckets are aligned to: a 1-day bucket is one local calendar day (23 or 25 hours
   * on DST change days). Buckets shorter than a day are aligned to local midnight too.
   */
  readonly timeZone: string;
  /** Also give each point the number of readings in its bucket (`count`), read in the same query. */
  readonly withCount?: boolean;
}

export interface SeriesPoint {
  /** Bucket start, epoch ms UTC. */
  readonly ts: number;
  readonly value: number;
  /** Readings in the bucket; only when the query asked `withCount`. */
  readonly count?: number;
}

export interface DeviceSeries {
  readonly deviceId: string;
  /** Only buckets that hold data, ascending by ts. */
  readonly points: readonly SeriesPoint[];
}

/**
 * The city as a whole: per bucket, the mean of the devices' own aggregates for it (each device
 * weighs the same, however often it reports), over the devices with a value for that bucket.
 */
export interface CityMeanSeries {
  /** Only buckets some device has data for, ascending by ts. */
  readonly points: readonly SeriesPoint[];
  /** Devices with data in the range, sorted. */
  readonly devices: readonly string[];
}

/** Readings of one metric in [from, to), of one device or of every device of the city. */
export interface SpacingQuery extends Cancellable {
  readonly city: string;
  readonly metric: MetricId;
  readonly deviceId?: string;
  readonly from: number;
  readonly to: number;
}

export interface DeviceSpacing {
  readonly deviceId: string;
  /**
   * Median time between consecutive readings, ms (the mean of the middle two for an even number
   * of gaps). Devices with fewer than two readings in the range are left out.
   */
  readonly medianMs: number;
}

export interface SensorActivity {
  readonly city: string;
  readonly deviceId: string;
  /** Metrics this device has reported, sorted by name. */
  readonly metrics: readonly MetricId[];
  /** Latest reading time, epoch ms UTC. */
  readonly lastSeen: number;
}

export interface RejectionQuery extends Cancellable {
  readonly city?: string;
  readonly deviceId?: string;
  readonly from?: number;
  readonly to?: number;
  /** Newest first; at most this many. */
  readonly limit: number;
}

/** Raw readings of one city, for exports: sorted by ts, then deviceId, then metric. */
export interface ReadingsQuery extends Cancellable {
  readonly city: string;
  /** Only these metrics (all when absent). */
  readonly metrics?: readonly MetricId[];
  /** Only these devices (all when absent; none when empty). */
  readonly deviceIds?: readonly string[];
  readonly from: number;
  readonly to: number;
  /** Rows to skip first (readings at `from` a previous page already gave). */
  readonly offset: number;
  readonly limit: number;
}

/** A long read of raw readings (TimeSeriesStore.streamReadings). */
export interface ReadingsStream {
  /**
   * The next page, in the order of `readings`; empty after the last. `signal` (a request's
   * deadline) ends the whole read. Rejects with a UcapError (STORE_QUERY_FAILED).
   */
  next(signal?: AbortSignal): Promise<Reading[]>;
  /** Ends the read early; idempotent. */
  close(): void;
}

export interface TimeSeriesStore {
  /** 'influxdb' or 'duckdb', for logs and /readyz. */
  readonly kind: string;
  /** Resolves once the readings are durable; rejects with a UcapError (STORE_WRITE_FAILED) otherwise. */
  writeReadings(readings: readonly Reading[]): Promise<void>;
  writeRejections(rejections: readonly Rejection[]): Promise<void>;
  /** Latest value per device and metric, sorted by deviceId then metric. */
  latest(query: LatestQuery): Promise<LatestValue[]>;
  /** Time-bucketed aggregates, one series per device, sorted by deviceId. */
  series(query: SeriesQuery): Promise<DeviceSeries[]>;
  /**
   * The mean across devices of `series` (one device when `deviceId` is given), computed where the
   * data is: a city's hourly means for a year are a few thousand points, its device series hundreds
   * of thousands. `withCount` is ignored.
   */
  cityMeanSeries(query: SeriesQuery): Promise<CityMeanSeries>;
  /** How often each device reports, from its readings' spacing; sorted by deviceId. */
  readingSpacing(query: SpacingQuery): Promise<DeviceSpacing[]>;
  /** Devices that have stored readings, sorted by city then deviceId. */
  sensors(query: { readonly city?: string }): Promise<SensorActivity[]>;
  /** Raw readings, sorted by ts, deviceId, metric (keyset pages: from + offset). */
  readings(query: ReadingsQuery): Promise<Reading[]>;
  /**
   * The same readings as one long read whose pages are pulled one at a time, where the store
   * answers that way more cheaply than page by page (InfluxDB: one chunked query instead of a query
   * per page, each of which decoded whole blocks of every series). Absent: exports read `readings`.
   */
  streamReadings?(query: Omit<ReadingsQuery, 'signal'>): ReadingsStream;
  /** Rejected messages, newest first. */
  rejections(query: RejectionQuery): Promise<Rejection[]>;
  /** Resolves when the store answers; used by /readyz. */
  ping(): Promise<void>;
  /**
   * Rolls up every hour touched so far now, instead of once it has settled (after an import; tests).
   * Answers never depend on it: hours not rolled up yet are read from the raw readings.
   */
  rollUp(): Promise<void>;
  /**
   * The air-quality index series (aqi/): kept by the index-series maintainer of the process that
   * writes readings, read by /v1/aqi. Absent where the store cannot keep them (InfluxDB 2.x/3.x).
   */
  readonly indexSeries?: IndexSeriesStore;
  /** Flushes and releases resources; further calls fail. */
  close(): Promise<void>;
}
