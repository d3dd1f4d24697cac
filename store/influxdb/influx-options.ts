import type { Logger } from '../../platform/logger.ts';
import type { DayZoneOf } from '../rollup-days.ts';

interface InfluxCommonOptions {
  /** Base URL, e.g. http://127.0.0.1:8086 (a path prefix behind a proxy is kept). */
  readonly url: string;
  /** Per-request limit; a request still unanswered after it fails as retryable. Default 10 s. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

/** InfluxDB 1.x: writes to `/write?db=&rp=`, user/password (HTTP Basic) when auth is enabled. */
export interface InfluxV1Options extends InfluxCommonOptions {
  readonly api: 'v1';
  readonly database: string;
  readonly retentionPolicy?: string;
  readonly username?: string;
  readonly password?: string;
  /** Sent as `Authorization: Token …` when no username is given (InfluxDB 1.8+ "user:password", 3.x tokens). */
  readonly token?: string;
  /** The zone of each city's local days, for daily rollups (default: the built-in cities). */
  readonly dayZoneOf?: DayZoneOf;
  /** Raw readings older than this many days are deleted once rolled up (0 or absent: kept). */
  readonly rawRetentionDays?: number;
}

/** InfluxDB 2.x/3.x: writes to `/api/v2/write?org=&bucket=`, `Authorization: Token …`. */
export interface InfluxV2Options extends InfluxCommonOptions {
  readonly api: 'v2';
  readonly org: string;
  readonly bucket: string;
  readonly token: string;
  /** Database name for InfluxQL reads over `/query` (the DBRP mapping); defaults to the bucket. */
  readonly database?: string;
}

export type InfluxStoreOptions = InfluxV1Options | InfluxV2Options;

export const DEFAULT_INFLUX_TIMEOUT_MS = 10_000;

/** The database InfluxQL reads use. */
export function queryDatabase(options: InfluxStoreOptions): string {
  return options.api === 'v1' ? options.database : (options.database ?? options.bucket);
}

/** URL without credentials, query or fragment: safe for logs and error messages. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname === '/' ? '' : parsed.pathname;
    return `${parsed.protocol}//${parsed.host}${path}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** Where the data goes, for logs and messages: URL and database or bucket, never credentials. */
export function describeInfluxTarget(options: InfluxStoreOptions): string {
  const url = safeUrl(options.url);
  if (options.api === 'v2')
    return `InfluxDB ${url} (v2 API, org "${options.org}", bucket "${options.bucket}")`;
  const rp = options.retentionPolicy === undefined ? '' : `, retention policy "${options.retentionPolicy}"`;
  return `InfluxDB ${url} (v1 API, database "${options.database}"${rp})`;
}

/** The variables to check when InfluxDB refuses the credentials. */
export function credentialsHint(options: InfluxStoreOptions): string {
  if (options.api === 'v2')
    return 'check INFLUX_TOKEN (an API token with read and write access to the bucket)';
  if (options.username !== undefined) return 'check INFLUX_USERNAME/INFLUX_PASSWORD';
  if (options.token !== undefined) return 'check INFLUX_TOKEN';
  return 'the server requires authentication: set INFLUX_USERNAME/INFLUX_PASSWORD';
}

/** The variables naming where writes go, for "not found" answers. */
export function destinationHint(options: InfluxStoreOptions): string {
  return options.api === 'v2'
    ? 'check INFLUX_ORG and INFLUX_BUCKET (the bucket must exist), and INFLUX_DB for the DBRP mapping used by reads'
    : 'check INFLUX_DB and INFLUX_RP (the user may lack the right to create the database: create it as an admin)';
}
