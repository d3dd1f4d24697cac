import { z } from 'zod';
import { indexSeriesFields } from '../aqi/index-series-config.ts';
import { ingestFields } from '../ingest/ingest-config.ts';
import { commonFields, hostSchema, portSchema, positiveIntSchema } from '../platform/config.ts';
import { refineStoreConfig, storeConfigSchema } from '../store/store-config.ts';
import { DEFAULT_RELAY_LIMITS } from './relay-sink.ts';

const SERVICE_PASSWORD_HINT =
  'required: set it to a long random secret (e.g. `openssl rand -base64 24`) and give the ingest worker the same value';

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
  .superRefine(refineStoreConfig);

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
