import { millisSchema } from '../platform/config.ts';

/**
 * How often the index-series maintainer rewrites the days touched by new readings
 * (INDEX_SERIES_FLUSH_MS, 0 = off): in the embedded store (table `index_series`) and InfluxDB 1.x
 * (measurement `aqi`); InfluxDB 2.x keeps none.
 */
export const indexSeriesFields = {
  INDEX_SERIES_FLUSH_MS: millisSchema.default(60_000),
};
