import { z } from 'zod';
import { commonFields, dataDirFields, mqttConnectionFields } from '../platform/config.ts';

/** `npm run simulate`: where the gateway is, and where the device registry lives (DATA_DIR). */
export const simulatorConfigSchema = z.object({ ...mqttConnectionFields, ...dataDirFields, ...commonFields });
