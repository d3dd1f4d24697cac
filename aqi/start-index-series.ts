import type { CityCatalog } from '../domain/cities.ts';
import type { Logger } from '../platform/logger.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import { createIndexSeriesMaintainer } from './index-series-maintainer.ts';
import { withIndexSeries } from './index-series-store.ts';

export interface IndexSeries {
  /** The store to give writers (ingest, imports): it notes what they write. */
  readonly store: TimeSeriesStore;
  /** Stops the timer and writes what is pending. */
  close(): Promise<void>;
}

export interface IndexSeriesConfig {
  readonly INDEX_SERIES_FLUSH_MS: number;
}

/**
 * Starts the index-series maintainer of a process that writes readings, when it can: a store that
 * keeps index series (the embedded DuckDB file, InfluxDB 1.x) and a flush interval above 0.
 * Otherwise returns undefined and the process runs without it (/v1/aqi then computes every point).
 */
export function startIndexSeries(
  config: IndexSeriesConfig,
  store: TimeSeriesStore,
  cities: CityCatalog,
  logger: Logger,
): IndexSeries | undefined {
  const sink = store.indexSeries;
  if (config.INDEX_SERIES_FLUSH_MS === 0 || sink === undefined) {
    logger.info(
      { flushMs: config.INDEX_SERIES_FLUSH_MS, store: store.kind },
      'index series not kept (needs the embedded store or InfluxDB 1.x, and INDEX_SERIES_FLUSH_MS > 0)',
    );
    return undefined;
  }
  const maintainer = createIndexSeriesMaintainer({
    store,
    sink,
    cities,
    onError: (error) => logger.warn({ err: error }, 'index series flush failed; retried at the next one'),
  });
  maintainer.start(config.INDEX_SERIES_FLUSH_MS);
  return { store: withIndexSeries(store, maintainer), close: () => maintainer.close() };
}
