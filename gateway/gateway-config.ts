import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { indexSeriesFields } from '../aqi/index-series-config.ts';
import { UcapError } from '../domain/errors.ts';
import { ingestFields, refineRetentionAgainstMaxAge } from '../ingest/ingest-config.ts';
import { commonFields, hostSchema, millisSchema, portSchema, positiveIntSchema } from '../platform/config.ts';
import { refineStoreConfig, storeConfigSchema } from '../store/store-config.ts';
import type { GatewayListeners } from './extra-listeners.ts';
import { DEFAULT_GATEWAY_LIMITS as D, type GatewayLimits } from './gateway-limits.ts';
import { DEFAULT_RELAY_LIMITS } from './relay-sink.ts';

const SERVICE_PASSWORD_HINT =
  'required: set it to a long random secret (e.g. `openssl rand -base64 24`) and give the ingest worker the same value';

/** Availability limits (gateway-limits.ts), shared with the all-in-one process. */
export const gatewayLimitFields = {
  GATEWAY_MAX_CONNECTIONS_PER_DEVICE: positiveIntSchema.default(D.maxConnectionsPerDevice),
  GATEWAY_MAX_CONNECTIONS_PER_ADDRESS: positiveIntSchema.default(D.maxConnectionsPerAddress),
  GATEWAY_MAX_KEEPALIVE_S: positiveIntSchema
    .max(65_535, 'must be at most 65535 (MQTT keep-alive is 16-bit)')
    .default(D.maxKeepaliveSeconds),
  GATEWAY_LOGIN_FAILURES_PER_DEVICE: positiveIntSchema.default(D.loginFailuresPerDevice),
  GATEWAY_LOGIN_FAILURES_PER_ADDRESS: positiveIntSchema.default(D.loginFailuresPerAddress),
  GATEWAY_LOGIN_BACKOFF_MAX_MS: millisSchema
    .min(1000, 'must be at least 1000 ms')
    .default(D.loginBackoffMaxMs),
  GATEWAY_MAX_PUBLISH_PER_DEVICE_S: positiveIntSchema.default(D.publishesPerDeviceSecond),
  GATEWAY_MAX_BYTES_PER_DEVICE_S: positiveIntSchema.default(D.publishBytesPerDeviceSecond),
  GATEWAY_REFUSAL_LOG_INTERVAL_MS: positiveIntSchema.default(D.refusalLogIntervalMs),
};

type GatewayLimitConfig = { readonly [K in keyof typeof gatewayLimitFields]: number };

export function gatewayLimitsFrom(config: GatewayLimitConfig): GatewayLimits {
  return {
    maxConnectionsPerDevice: config.GATEWAY_MAX_CONNECTIONS_PER_DEVICE,
    maxConnectionsPerAddress: config.GATEWAY_MAX_CONNECTIONS_PER_ADDRESS,
    maxKeepaliveSeconds: config.GATEWAY_MAX_KEEPALIVE_S,
    loginFailuresPerDevice: config.GATEWAY_LOGIN_FAILURES_PER_DEVICE,
    loginFailuresPerAddress: config.GATEWAY_LOGIN_FAILURES_PER_ADDRESS,
    loginBackoffMaxMs: config.GATEWAY_LOGIN_BACKOFF_MAX_MS,
    publishesPerDeviceSecond: config.GATEWAY_MAX_PUBLISH_PER_DEVICE_S,
    publishBytesPerDeviceSecond: config.GATEWAY_MAX_BYTES_PER_DEVICE_S,
    refusalLogIntervalMs: config.GATEWAY_REFUSAL_LOG_INTERVAL_MS,
  };
}

/** Optional listeners: mqtts and MQTT over WebSocket (over TLS when the TLS variables are set). */
export const gatewayListenerFields = {
  MQTT_TLS_PORT: portSchema.optional(),
  /** PEM certificate chain and private key for mqtts and wss. */
  MQTT_TLS_CERT: z.string().min(1).optional(),
  MQTT_TLS_KEY: z.string().min(1).optional(),
  MQTT_WS_PORT: portSchema.optional(),
};

type ListenerConfig = {
  readonly [K in keyof typeof gatewayListenerFields]?:
    | (K extends `${string}PORT` ? number : string)
    | undefined;
};

/** Reads the PEM files; a missing pair or an unreadable file stops start-up naming the variable. */
export function gatewayListenersFrom(config: ListenerConfig): GatewayListeners {
  const problems: string[] = [];
  const {
    MQTT_TLS_PORT: tlsPort,
    MQTT_TLS_CERT: certPath,
    MQTT_TLS_KEY: keyPath,
    MQTT_WS_PORT: wsPort,
  } = config;
  if ((certPath === undefined) !== (keyPath === undefined))
    problems.push('MQTT_TLS_CERT and MQTT_TLS_KEY: set both (PEM files) or neither');
  if (tlsPort !== undefined && certPath === undefined)
    problems.push('MQTT_TLS_PORT: needs MQTT_TLS_CERT and MQTT_TLS_KEY (PEM files)');
  const read = (variable: string, path: string | undefined) => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      problems.push(
        `${variable}: cannot read ${path} (${error instanceof Error ? error.message : String(error)})`,
      );
      return undefined;
    }
  };
  const cert = read('MQTT_TLS_CERT', certPath);
  const key = read('MQTT_TLS_KEY', keyPath);
  if (problems.length > 0)
    throw new UcapError(
      'CONFIG_INVALID',
      `invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  const tls = cert && key ? { cert, key } : undefined;
  return {
    ...(tls && { tls }),
    ...(tlsPort !== undefined && { tlsPort }),
    ...(wsPort !== undefined && { wsPort }),
  };
}

/**
 * `npm run gateway`: the MQTT gateway; devices come from DATA_DIR/devices.json. With
 * GATEWAY_INGEST=relay (default) readings go to ingest workers; with `embedded` the gateway stores
 * them itself (the store variables and INGEST_* tuning apply then).
 */
export const gatewayConfigSchema = z
  .object({
    ...commonFields,
    ...storeConfigSchema.shape,
    ...ingestFields,
    ...indexSeriesFields,
    ...gatewayLimitFields,
    ...gatewayListenerFields,
    GATEWAY_INGEST: z
      .enum(['relay', 'embedded'], {
        message: 'must be relay (ingest workers store readings) or embedded (the gateway stores them)',
      })
      .default('relay'),
    /** Relay: messages handed to ingest and not yet confirmed; past it devices wait (backpressure). */
    GATEWAY_RELAY_MAX_UNCONFIRMED: positiveIntSchema.default(DEFAULT_RELAY_LIMITS.maxUnconfirmed),
    BIND_HOST: hostSchema,
    MQTT_PORT: portSchema.default(1883),
    /** /healthz, /readyz and /metrics. */
    GATEWAY_HTTP_PORT: portSchema.default(9101),
    MQTT_SERVICE_USERNAME: z.string().min(1).default('ucap-ingest'),
    MQTT_SERVICE_PASSWORD: z
      .string({ error: SERVICE_PASSWORD_HINT })
      .min(12, 'must be at least 12 characters; use the same value for the ingest worker'),
  })
  .superRefine(refineStoreConfig)
  .superRefine(refineRetentionAgainstMaxAge);

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
