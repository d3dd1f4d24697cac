import type { CityCatalog } from '../domain/cities.ts';
import type { Logger } from '../platform/logger.ts';
import { createInfluxAqiSink } from '../store/influxdb/influx-aqi-sink.ts';
import { influxOptionsFrom } from '../store/open-store.ts';
import type { StoreConfig } from '../store/store-config.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import { createIndexSeriesMaintainer } from './index-series-maintainer.ts';
import { withIndexSeries } from './index-series-store.ts';

export interface IndexSeries {
  /** The store to give writers (ingest, imports): it notes what they write. */
  readonly store: TimeSeriesStore;
  /** Stops the timer and writes what is pending. */
  close(): Promise<void>;
}

/**
 * Starts the index-series maintainer of a process that writes readings, when it can: InfluxDB 1.x
 * and a flush interval above 0. Otherwise returns undefined and the process runs without it.
 */
export type IndexSeriesConfig = StoreConfig & { readonly INDEX_SERIES_FLUSH_MS: number };

export function startIndexSeries(
  config: IndexSeriesConfig,
  store: TimeSeriesStore,
  cities: CityCatalog,
  logger: Logger,
): IndexSeries | undefined {
  const influx = influxOptionsFrom(config);
  if (config.INDEX_SERIES_FLUSH_MS === 0 || influx === undefined || influx.api !== 'v1') {
    logger.info(
      { flushMs: config.INDEX_SERIES_FLUSH_MS, store: influx?.api ?? 'embedded' },
      'index series not kept (needs InfluxDB 1.x and INDEX_SERIES_FLUSH_MS > 0)',
    );
    return undefined;
  }
  const maintainer = createIndexSeriesMaintainer({
    store,
    sink: createInfluxAqiSink(influx),
    cities,
    onError: (error) => logger.warn({ err: error }, 'index series flush failed; retried at the next one'),
  });
  maintainer.start(config.INDEX_SERIES_FLUSH_MS);
  return { store: withIndexSeries(store, maintainer), close: () => maintainer.close() };
}
