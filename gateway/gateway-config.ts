import { join } from 'node:path';
import { z } from 'zod';
import { commonFields, dataDirFields, hostSchema, portSchema } from '../platform/config.ts';
import type { BrokerPersistenceOption } from './broker-persistence.ts';

const SERVICE_PASSWORD_HINT =
  'required: set it to a long random secret (e.g. `openssl rand -base64 24`) and give the ingest worker the same value';

/** Shared with the all-in-one process. */
export const brokerPersistenceFields = {
  /** `level` keeps sessions and queued QoS 1 messages in DATA_DIR/broker across restarts and crashes. */
  GATEWAY_PERSISTENCE: z.enum(['level', 'memory'], { message: 'must be level or memory' }).default('level'),
};

/** The broker state directory under DATA_DIR, or memory. */
export function brokerPersistenceFrom(config: {
  readonly DATA_DIR: string;
  readonly GATEWAY_PERSISTENCE: 'level' | 'memory';
}): BrokerPersistenceOption {
  return config.GATEWAY_PERSISTENCE === 'memory' ? 'memory' : { dir: join(config.DATA_DIR, 'broker') };
}

/** `npm run gateway`: the MQTT broker alone; devices come from DATA_DIR/devices.json. */
export const gatewayConfigSchema = z.object({
  ...commonFields,
  ...dataDirFields,
  ...brokerPersistenceFields,
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
