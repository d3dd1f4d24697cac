import { z } from 'zod';
import { commonFields, hostSchema, millisSchema, portSchema } from '../platform/config.ts';
import { refineStoreConfig, storeConfigSchema } from '../store/store-config.ts';
import { apiKeyFields } from './api-keys.ts';
import { apiLimitFields } from './api-limits.ts';

/** Shared with the all-in-one process. */
export const adminFields = {
  /** Turns on /v1/admin/devices (Bearer auth); unset = the routes do not exist (404). */
  ADMIN_TOKEN: z
    .string()
    .min(24, 'must be at least 24 characters; make one with `openssl rand -base64 32`')
    .optional(),
};

/** The admin routes' settings, or undefined when ADMIN_TOKEN is unset. */
export function adminFrom<R>(
  config: { readonly ADMIN_TOKEN?: string | undefined },
  registry: R,
): { token: string; registry: R } | undefined {
  return config.ADMIN_TOKEN === undefined ? undefined : { token: config.ADMIN_TOKEN, registry };
}

/** `npm run api`: where to listen, which store to read, which cities to serve. */
export const apiConfigSchema = z
  .object({
    ...commonFields,
    ...storeConfigSchema.shape,
    BIND_HOST: hostSchema,
    API_PORT: portSchema.default(8080),
    ...adminFields,
    ...apiLimitFields,
    ...apiKeyFields,
    /** Another process (ingest) writes the store: how often /v1/latest picks up its writes. */
    API_LATEST_REFRESH_MS: millisSchema.default(5_000),
  })
  .superRefine(refineStoreConfig);

export type ApiConfig = z.infer<typeof apiConfigSchema>;
