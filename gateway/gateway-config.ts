import { z } from 'zod';
import { commonFields, dataDirFields, hostSchema, portSchema } from '../platform/config.ts';

const SERVICE_PASSWORD_HINT =
  'required: set it to a long random secret (e.g. `openssl rand -base64 24`) and give the ingest worker the same value';

/** `npm run gateway`: the MQTT broker alone; devices come from DATA_DIR/devices.json. */
export const gatewayConfigSchema = z.object({
  ...commonFields,
  ...dataDirFields,
  BIND_HOST: hostSchema,
  MQTT_PORT: portSchema.default(1883),
  /** /healthz, /readyz and /metrics. */
  GATEWAY_HTTP_PORT: portSchema.default(9101),
  MQTT_SERVICE_USERNAME: z.string().min(1).default('ucap-ingest'),
  MQTT_SERVICE_PASSWORD: z
    .string({ error: SERVICE_PASSWORD_HINT })
    .min(12, 'must be at least 12 characters; use the same value for the ingest worker'),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
