import type { TimeSeriesStore } from '../store/time-series-store.ts';
import type { IndexSeriesMaintainer } from './index-series-maintainer.ts';

/**
 * The store, with every successful writeReadings also noted by the index-series maintainer. Wrap
 * the store once where a process opens it (all-in-one, ingest, import) and every writer through the
 * port keeps the index series current; the adapters stay unaware of it.
 */
export function withIndexSeries(store: TimeSeriesStore, maintainer: IndexSeriesMaintainer): TimeSeriesStore {
  return {
    ...store,
    async writeReadings(readings) {
      await store.writeReadings(readings);
      maintainer.noteReadings(readings);
    },
  };
}
