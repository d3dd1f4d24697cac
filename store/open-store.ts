import { type City, DEFAULT_CITIES } from '../domain/cities.ts';
import { UcapError } from '../domain/errors.ts';
import type { Logger } from '../platform/logger.ts';
import { createInfluxStore, type InfluxStoreOptions } from './influxdb/influx-store.ts';
import { cityZones } from './rollup-days.ts';
import { DEFAULT_INFLUX_DB, describeStore, embeddedStorePath, type StoreConfig } from './store-config.ts';
import type { TimeSeriesStore } from './time-series-store.ts';

export interface OpenStoreOptions {
  /** The city catalog: daily rollups follow each city's local days (default: the built-in cities). */
  readonly cities?: readonly City[];
  /**
   * Whether this process applies RAW_RETENTION_DAYS (default true). With InfluxDB, only the
   * writer (ingest) should: a second process applying it at the same moment could count readings
   * written into already-deleted hours twice.
   */
  readonly applyRetention?: boolean;
}

/** InfluxDB when INFLUX_URL is set, otherwise the embedded DuckDB file under DATA_DIR. */
export async function openStore(
  config: StoreConfig,
  logger: Logger,
  options: OpenStoreOptions = {},
): Promise<TimeSeriesStore> {
  logger.info({ store: describeStore(config) }, 'opening the time-series store');
  const maintenance = {
    dayZoneOf: cityZones(options.cities ?? DEFAULT_CITIES),
    rawRetentionDays: options.applyRetention === false ? 0 : config.RAW_RETENTION_DAYS,
  };
  const influx = influxOptionsFrom(config, logger);
  if (influx !== undefined)
    return createInfluxStore(influx.api === 'v1' ? { ...influx, ...maintenance } : influx);
  // Loaded only for the embedded store: DuckDB's library is ~30 MiB of resident code and memory
  // that a process on InfluxDB never needs.
  const { createDuckDbStore } = await import('./duckdb/duckdb-store.ts');
  return createDuckDbStore({
    path: embeddedStorePath(config),
    memoryLimit: config.DUCKDB_MEMORY_LIMIT,
    logger,
    ...maintenance,
  });
}

/**
 * The InfluxDB adapter's options, or undefined without INFLUX_URL. Checks the v2 requirements
 * again, for services whose config schema spread the store fields without refineStoreConfig.
 */
export function influxOptionsFrom(config: StoreConfig, logger?: Logger): InfluxStoreOptions | undefined {
  const url = config.INFLUX_URL;
  if (url === undefined) return undefined;
  const common = { url, timeoutMs: config.INFLUX_TIMEOUT_MS, ...(logger === undefined ? {} : { logger }) };
  if (config.INFLUX_API === 'v1') {
    return {
      ...common,
      api: 'v1',
      database: config.INFLUX_DB ?? DEFAULT_INFLUX_DB,
      ...optional('retentionPolicy', config.INFLUX_RP),
      ...optional('username', config.INFLUX_USERNAME),
      ...optional('password', config.INFLUX_PASSWORD),
      ...optional('token', config.INFLUX_TOKEN),
    };
  }
  const { INFLUX_ORG: org, INFLUX_BUCKET: bucket, INFLUX_TOKEN: token } = config;
  if (org === undefined || bucket === undefined || token === undefined) {
    const missing = Object.entries({ INFLUX_ORG: org, INFLUX_BUCKET: bucket, INFLUX_TOKEN: token })
      .filter(([, value]) => value === undefined)
      .map(([name]) => name);
    throw new UcapError('CONFIG_INVALID', `INFLUX_API=v2 requires ${missing.join(', ')}`);
  }
  return { ...common, api: 'v2', org, bucket, token, ...optional('database', config.INFLUX_DB) };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
