import { millisSchema } from '../platform/config.ts';

/**
 * How often the index-series maintainer rewrites the days touched by new readings
 * (INDEX_SERIES_FLUSH_MS, 0 = off). Only with InfluxDB 1.x for now (the `aqi` measurement).
 */
export const indexSeriesFields = {
  INDEX_SERIES_FLUSH_MS: millisSchema.default(60_000),
};
