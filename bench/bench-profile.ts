/** Readings loaded on a grid, then queries timed. */
export interface QueryLoad {
  readonly devices: number;
  readonly days: number;
  /** Every device reports every metric this often (queries: 10 × 10 metrics × 7 days every minute ≈ 1M). */
  readonly stepMs: number;
  readonly loadBatchSize: number;
  readonly runs: number;
  /** Timed runs of one query stop early once this is spent (after at least 3). */
  readonly budgetMs: number;
}

/**
 * How much work each benchmark does. Both profiles are bounded in count (and e2e in time) so a
 * run ends on its own: `full` in about two minutes on the 2-core dev machine, `quick` in ~20 s.
 */
export interface BenchProfile {
  readonly name: 'quick' | 'full';
  readonly decode: { readonly warmupMessages: number; readonly messages: number };
  readonly writes: {
    readonly batchSizes: readonly number[];
    /** Readings written per batch size (fewer batches for larger sizes), at least minBatches batches. */
    readonly readingsPerSize: number;
    readonly minBatches: number;
  };
  readonly queries: QueryLoad;
  /** `api`: a month of readings per city, then the routes under concurrent load. */
  readonly api: {
    readonly devicesPerCity: number;
    readonly days: number;
    readonly stepMs: number;
    readonly loadBatchSize: number;
    /** Each route is driven this long. */
    readonly durationMs: number;
  };
  /** `import`: readings in the CSV and Parquet files `ucap import` loads into each store. */
  readonly imports: { readonly readings: number };
  /** `export`: readings in the DuckDB file the API process exports whole, as CSV and Parquet. */
  readonly exports: { readonly rows: number };
  /** `panels`: a year of readings in InfluxDB, then the exceedance table's queries. */
  readonly panels: QueryLoad;
  readonly e2e: {
    readonly devices: number;
    readonly messagesPerDevice: number;
    /** QoS 1 publishes each device keeps unacknowledged at once. */
    readonly inFlightPerDevice: number;
    /** The run fails if not every reading is stored by then. */
    readonly timeoutMs: number;
  };
}

export const FULL_PROFILE: BenchProfile = {
  name: 'full',
  decode: { warmupMessages: 10_000, messages: 100_000 },
  writes: { batchSizes: [1000, 5000, 20_000], readingsPerSize: 120_000, minBatches: 6 },
  queries: { devices: 10, days: 7, stepMs: 60_000, loadBatchSize: 20_000, runs: 20, budgetMs: 5000 },
  api: { devicesPerCity: 100, days: 30, stepMs: 300_000, loadBatchSize: 20_000, durationMs: 15_000 },
  imports: { readings: 1_000_000 },
  exports: { rows: 10_000_000 },
  panels: { devices: 10, days: 365, stepMs: 600_000, loadBatchSize: 20_000, runs: 5, budgetMs: 10_000 },
  e2e: { devices: 40, messagesPerDevice: 300, inFlightPerDevice: 10, timeoutMs: 120_000 },
};

export const QUICK_PROFILE: BenchProfile = {
  name: 'quick',
  decode: { warmupMessages: 2000, messages: 20_000 },
  writes: { batchSizes: [1000, 5000, 20_000], readingsPerSize: 20_000, minBatches: 1 },
  queries: { devices: 10, days: 7, stepMs: 1_200_000, loadBatchSize: 20_000, runs: 5, budgetMs: 1500 },
  api: { devicesPerCity: 10, days: 3, stepMs: 300_000, loadBatchSize: 20_000, durationMs: 1000 },
  imports: { readings: 200_000 },
  exports: { rows: 1_000_000 },
  panels: { devices: 4, days: 365, stepMs: 3_600_000, loadBatchSize: 20_000, runs: 3, budgetMs: 3000 },
  e2e: { devices: 10, messagesPerDevice: 50, inFlightPerDevice: 10, timeoutMs: 30_000 },
};

/** Batches written for one batch size: enough to reach readingsPerSize, never fewer than minBatches. */
export function batchesFor(profile: BenchProfile['writes'], batchSize: number): number {
  return Math.max(profile.minBatches, Math.ceil(profile.readingsPerSize / batchSize));
}
