import { z } from 'zod';
import { UcapError } from '../domain/errors.ts';

/**
 * Configuration comes from environment variables only, parsed once per service into a frozen,
 * typed object. Every problem is reported at once, each naming its variable, so a bad deploy is
 * fixed in one go rather than one restart per typo.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export function parseConfig<S extends z.ZodType>(schema: S, env: Env = process.env): Readonly<z.infer<S>> {
  // An empty variable (FOO=) means "not set": defaults apply, as in most shells' ${FOO:-default}.
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env))
    if (value !== undefined && value !== '') cleaned[key] = value;
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const variable = issue.path.join('.') || '(environment)';
      const got = cleaned[variable];
      return `  ${variable}: ${issue.message}${got === undefined ? '' : ` (got "${redactValue(variable, got)}")`}`;
    });
    throw new UcapError('CONFIG_INVALID', `invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(result.data);
}

const SECRET_VARIABLE = /PASSWORD|TOKEN|SECRET|KEY/i;

/** Config errors are logged: never echo a secret, nor credentials inside a URL. */
function redactValue(variable: string, value: string): string {
  if (SECRET_VARIABLE.test(variable)) return '[redacted]';
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1[redacted]@');
}

export const portSchema = z.coerce
  .number({ message: 'must be a TCP port number' })
  .int('must be a whole number')
  .min(0, 'must be 0..65535 (0 picks a free port)')
  .max(65535, 'must be 0..65535');

/** Durations in env vars are milliseconds. */
export const millisSchema = z.coerce.number({ message: 'must be a number of milliseconds' }).int().min(0);

export const positiveIntSchema = z.coerce.number({ message: 'must be a whole number' }).int().min(1);

/** Listen address. Defaults to loopback; containers set 0.0.0.0 explicitly. */
export const hostSchema = z.string().min(1).default('127.0.0.1');

export const logLevelSchema = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

export const mqttConnectionFields = {
  MQTT_HOST: z.string().min(1).default('127.0.0.1'),
  MQTT_PORT: portSchema.default(1883),
};

export const dataDirFields = {
  DATA_DIR: z.string().min(1).default('./data'),
};

/**
 * InfluxDB connection. Without INFLUX_URL the embedded store under DATA_DIR is used.
 * INFLUX_API picks the write endpoint flavour: v1 (`/write?db=&rp=`, user/password) for
 * InfluxDB 1.x, v2 (`/api/v2/write`, org/bucket/token) for 2.x and 3.x. Reads always use the v1
 * `/query` endpoint (InfluxQL), which 2.x/3.x serve for compatibility (DBRP mapping).
 */
export const influxFields = {
  INFLUX_URL: z.url({ message: 'must be a URL such as http://127.0.0.1:8086' }).optional(),
  INFLUX_API: z
    .enum(['v1', 'v2'], { message: 'must be v1 (InfluxDB 1.x) or v2 (InfluxDB 2.x/3.x)' })
    .default('v1'),
  INFLUX_DB: z.string().min(1).default('ucap'),
  INFLUX_RP: z.string().min(1).optional(),
  INFLUX_USERNAME: z.string().min(1).optional(),
  INFLUX_PASSWORD: z.string().min(1).optional(),
  INFLUX_ORG: z.string().min(1).optional(),
  INFLUX_BUCKET: z.string().min(1).optional(),
  INFLUX_TOKEN: z.string().min(1).optional(),
  INFLUX_TIMEOUT_MS: millisSchema.default(10_000),
};

export const commonFields = {
  LOG_LEVEL: logLevelSchema,
  CITIES_FILE: z.string().min(1).optional(),
};
