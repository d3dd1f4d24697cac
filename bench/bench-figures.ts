import type { LatencySummary } from './bench-stats.ts';

export const STORE_KINDS = ['duckdb', 'influxdb'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export const STORE_LABELS: Readonly<Record<StoreKind, string>> = {
  duckdb: 'DuckDB',
  influxdb: 'InfluxDB 1.6',
};

export const QUERY_NAMES = ['latest', 'series-1h', 'series-1d'] as const;
export type QueryName = (typeof QUERY_NAMES)[number];

export interface WriteFigure {
  readonly readingsPerSec: number;
  readonly batchLatency: LatencySummary;
}

/** The headline numbers of each benchmark that ran, for the summary's ratios. */
export interface BenchFigures {
  decode?: { readonly messagesPerSec: number; readonly readingsPerSec: number };
  /** By store, then by batch size. */
  writes?: Partial<Record<StoreKind, ReadonlyMap<number, WriteFigure>>>;
  queries?: Partial<Record<StoreKind, Partial<Record<QueryName, LatencySummary>>>>;
  e2e?: {
    readonly messagesPerSec: number;
    readonly readingsPerSec: number;
    readonly latency: LatencySummary;
    /** The ingest batch size the run used, to compare with raw store writes of that size. */
    readonly ingestBatchSize: number;
  };
}
