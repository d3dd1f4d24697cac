import { join } from 'node:path';
import { z } from 'zod';
import { dataDirFields, influxFields } from '../platform/config.ts';
import { safeUrl } from './influxdb/influx-options.ts';

/** The embedded store's file name under DATA_DIR. */
export const EMBEDDED_STORE_FILE = 'ucap.duckdb';

/** The v1 database when INFLUX_DB is not set. */
export const DEFAULT_INFLUX_DB = 'ucap';

const storeFields = {
  ...influxFields,
  // No default here: v1 reads and writes database "ucap" unless told otherwise, but v2 reads the
  // DBRP-mapped database named like the bucket unless INFLUX_DB names another (see influxOptionsFrom).
  INFLUX_DB: influxFields.INFLUX_DB.unwrap().optional(),
  ...dataDirFields,
  /**
   * Memory the embedded store may hold (DuckDB's buffer pool; beyond it, blocks already on disk are
   * evicted). DuckDB's own default is 80 % of RAM, which made a long-running process grow without end.
   */
  DUCKDB_MEMORY_LIMIT: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, 'must be a size such as 256MB or 1GB')
    .default('256MB'),
  /**
   * Raw readings older than this many days are deleted once their hours are rolled up; hourly and
   * daily rollups are kept forever (store/raw-retention.ts). 0 keeps raw readings forever.
   */
  RAW_RETENTION_DAYS: z.coerce
    .number({ message: 'must be a whole number of days (0 keeps raw readings forever)' })
    .int('must be a whole number of days (0 keeps raw readings forever)')
    .min(0, 'must be 0 (keep raw readings forever) or more days')
    .max(36_500, 'must be at most 36500 days (100 years); 0 keeps raw readings forever')
    .default(0),
};

type StoreFields = z.infer<z.ZodObject<typeof storeFields>>;

/**
 * Cross-field rules, each problem on the variable to fix. Exported because services that spread
 * `storeConfigSchema.shape` into their own schema lose refinements: they should add
 * `.superRefine(refineStoreConfig)` to keep the same checks.
 */
export function refineStoreConfig(config: StoreFields, ctx: z.RefinementCtx): void {
  const require = (variable: keyof StoreFields, why: string) => {
    if (config[variable] === undefined)
      ctx.addIssue({ code: 'custom', path: [variable], message: `required ${why}` });
  };
  // A string that is no URL at all already has its issue from the field schema.
  const url =
    config.INFLUX_URL !== undefined && URL.canParse(config.INFLUX_URL)
      ? new URL(config.INFLUX_URL)
      : undefined;
  if (url !== undefined && url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({
      code: 'custom',
      path: ['INFLUX_URL'],
      message: 'must be an http:// or https:// URL such as http://127.0.0.1:8086',
    });
  }
  if (config.INFLUX_API === 'v2') {
    require('INFLUX_URL', 'when INFLUX_API=v2 (the InfluxDB 2.x/3.x server, e.g. http://127.0.0.1:8086)');
    require('INFLUX_ORG', 'when INFLUX_API=v2 (the organization owning the bucket)');
    require('INFLUX_BUCKET', 'when INFLUX_API=v2 (the bucket to write to)');
    require('INFLUX_TOKEN', 'when INFLUX_API=v2 (an API token with read and write access to the bucket)');
  }
  if (config.INFLUX_API === 'v2' && config.INFLUX_URL !== undefined && config.RAW_RETENTION_DAYS > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['RAW_RETENTION_DAYS'],
      message:
        'is not applied with INFLUX_API=v2 (no rollups there to keep): leave it at 0 and set the bucket retention in InfluxDB',
    });
  }
  if (config.INFLUX_USERNAME !== undefined) require('INFLUX_PASSWORD', 'when INFLUX_USERNAME is set');
  if (config.INFLUX_PASSWORD !== undefined) require('INFLUX_USERNAME', 'when INFLUX_PASSWORD is set');
}

/**
 * Which time-series store a service uses: InfluxDB when INFLUX_URL is set (INFLUX_API picks the
 * write endpoint flavour), otherwise the embedded DuckDB file `${DATA_DIR}/ucap.duckdb`.
 */
export const storeConfigSchema = z.object(storeFields).superRefine(refineStoreConfig);

export type StoreConfig = z.infer<typeof storeConfigSchema>;

export function embeddedStorePath(config: Pick<StoreConfig, 'DATA_DIR'>): string {
  return join(config.DATA_DIR, EMBEDDED_STORE_FILE);
}

/** One line for logs: URL and database, bucket or file. Never credentials (nor the URL's user info). */
export function describeStore(config: StoreConfig): string {
  if (config.INFLUX_URL === undefined) return `embedded DuckDB ${embeddedStorePath(config)}`;
  const url = safeUrl(config.INFLUX_URL);
  if (config.INFLUX_API === 'v2') {
    return `InfluxDB ${url} (v2 API, org "${config.INFLUX_ORG ?? '?'}", bucket "${config.INFLUX_BUCKET ?? '?'}")`;
  }
  const rp = config.INFLUX_RP === undefined ? '' : `, retention policy "${config.INFLUX_RP}"`;
  return `InfluxDB ${url} (v1 API, database "${config.INFLUX_DB ?? DEFAULT_INFLUX_DB}"${rp})`;
}
