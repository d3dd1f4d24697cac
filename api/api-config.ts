import { z } from 'zod';
import { commonFields, hostSchema, millisSchema, portSchema } from '../platform/config.ts';
import { refineStoreConfig, storeConfigSchema } from '../store/store-config.ts';
import { apiKeyFields } from './api-keys.ts';
import { apiLimitFields } from './api-limits.ts';

/** `npm run api`: where to listen, which store to read, which cities to serve. */
export const apiConfigSchema = z
  .object({
    ...commonFields,
    ...storeConfigSchema.shape,
    BIND_HOST: hostSchema,
    API_PORT: portSchema.default(8080),
    ...apiLimitFields,
    ...apiKeyFields,
    /** Another process (ingest) writes the store: how often /v1/latest picks up its writes. */
    API_LATEST_REFRESH_MS: millisSchema.default(5_000),
  })
  .superRefine(refineStoreConfig);

export type ApiConfig = z.infer<typeof apiConfigSchema>;
