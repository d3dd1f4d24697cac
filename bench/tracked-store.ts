import type { Reading } from '../domain/reading.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';

/** The same store, telling `onStored` (with performance.now()) about each batch of readings once it is durable. */
export function trackedStore(
  store: TimeSeriesStore,
  onStored: (readings: readonly Reading[], at: number) => void,
): TimeSeriesStore {
  return {
    kind: store.kind,
    writeReadings: async (readings) => {
      await store.writeReadings(readings);
      onStored(readings, performance.now());
    },
    writeRejections: (rejections) => store.writeRejections(rejections),
    latest: (query) => store.latest(query),
    series: (query) => store.series(query),
    cityMeanSeries: (query) => store.cityMeanSeries(query),
    readingSpacing: (query) => store.readingSpacing(query),
    sensors: (query) => store.sensors(query),
    rejections: (query) => store.rejections(query),
    readings: (query) => store.readings(query),
    ping: () => store.ping(),
    rollUp: () => store.rollUp(),
    close: () => store.close(),
  };
}
