import { z } from 'zod';
import { adminFields } from '../api/api-config.ts';
import { apiKeyFields } from '../api/api-keys.ts';
import { apiLimitFields } from '../api/api-limits.ts';
import { indexSeriesFields } from '../aqi/index-series-config.ts';
import { gatewayLimitFields, gatewayListenerFields } from '../gateway/gateway-config.ts';
import { ingestFields, refineRetentionAgainstMaxAge } from '../ingest/ingest-config.ts';
import { commonFields, hostSchema, portSchema, positiveIntSchema } from '../platform/config.ts';
import { refineStoreConfig, storeConfigSchema } from '../store/store-config.ts';

/**
 * The all-in-one process (`npm start`): gateway, ingest, API and simulators together. Variables
 * are the same as each service's, so moving from one process to several changes no names.
 */
export const appConfigSchema = z
  .object({
    ...commonFields,
    ...storeConfigSchema.shape,
    ...ingestFields,
    ...indexSeriesFields,
    ...gatewayLimitFields,
    ...gatewayListenerFields,
    ...adminFields,
    BIND_HOST: hostSchema,
    MQTT_PORT: portSchema.default(1883),
    API_PORT: portSchema.default(8080),
    ...apiLimitFields,
    ...apiKeyFields,
    /** In one process the service account never leaves memory, so a random secret is made if unset. */
    MQTT_SERVICE_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
    SIMULATE: z.enum(['true', 'false'], { message: 'must be true or false' }).default('true'),
    SIMULATOR_CITIES: z.string().min(1).default('all'),
    SIMULATOR_INTERVAL_MS: positiveIntSchema.min(100, 'must be at least 100 ms').default(5000),
    PROGRESS_INTERVAL_MS: positiveIntSchema.default(10_000),
  })
  .superRefine(refineStoreConfig)
  .superRefine(refineRetentionAgainstMaxAge);

export type AppConfig = z.infer<typeof appConfigSchema>;
