import {
  createIndexSeriesMaintainer,
  type IndexSeriesMaintainer,
} from '../../aqi/index-series-maintainer.ts';
import { withIndexSeries } from '../../aqi/index-series-store.ts';
import { CityCatalog, DEFAULT_CITIES } from '../../domain/cities.ts';
import type { IndexSeriesStore } from '../../store/index-series-sink.ts';
import { createInfluxStore } from '../../store/influxdb/influx-store.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';

/**
 * The real InfluxDB store of a test database, with the real index-series maintainer writing the
 * `aqi` measurement: `writer` notes what it writes, `maintainer.flush()` indexes it.
 */
export interface IndexedInfluxStore {
  readonly store: TimeSeriesStore;
  readonly writer: TimeSeriesStore;
  readonly maintainer: IndexSeriesMaintainer;
  close(): Promise<void>;
}

export async function openIndexedInfluxStore(url: string, database: string): Promise<IndexedInfluxStore> {
  const store = await createInfluxStore({ api: 'v1', url, database });
  const maintainer = createIndexSeriesMaintainer({
    store,
    sink: indexSeriesOf(store),
    cities: new CityCatalog(DEFAULT_CITIES),
  });
  return {
    store,
    writer: withIndexSeries(store, maintainer),
    maintainer,
    async close() {
      await maintainer.close();
      await store.close();
    },
  };
}

/** The index series a store keeps (DuckDB, InfluxDB 1.x); a store without them fails the test. */
export function indexSeriesOf(store: TimeSeriesStore): IndexSeriesStore {
  if (store.indexSeries === undefined) throw new Error(`the ${store.kind} store keeps no index series`);
  return store.indexSeries;
}
