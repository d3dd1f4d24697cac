import { z } from 'zod';
import { commonFields, hostSchema, portSchema } from '../platform/config.ts';
import { refineStoreConfig, storeConfigSchema } from '../store/store-config.ts';
import { apiLimitFields } from './api-limits.ts';

/** `npm run api`: where to listen, which store to read, which cities to serve. */
export const apiConfigSchema = z
  .object({
    ...commonFields,
    ...storeConfigSchema.shape,
    BIND_HOST: hostSchema,
    API_PORT: portSchema.default(8080),
    ...apiLimitFields,
  })
  .superRefine(refineStoreConfig);

export type ApiConfig = z.infer<typeof apiConfigSchema>;
