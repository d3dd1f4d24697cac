import { z } from 'zod';
import { cityIdSchema } from '../domain/cities.ts';
import { PAYLOAD_FORMATS } from '../domain/payload-format.ts';
import { DEVICE_ID_PATTERN } from '../domain/topics.ts';

export const deviceIdSchema = z
  .string()
  .regex(
    DEVICE_ID_PATTERN,
    'a device id is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

export const deviceLocationSchema = z.object({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  /** Human name of the site, e.g. the monitoring station it stands at. */
  name: z.string().min(1).max(120).optional(),
});

/**
 * Low-cardinality facts about the hardware (sensor model, firmware, calibration version): kept
 * on the device, not as per-point tags, so series cardinality stays flat.
 */
export const deviceMetaSchema = z.record(z.string().min(1).max(40), z.string().max(120));

/** A registered device as stored in the registry file. The secret is kept only as a scrypt hash. */
export const deviceRecordSchema = z.object({
  id: deviceIdSchema,
  city: cityIdSchema,
  format: z.enum(PAYLOAD_FORMATS).default('native'),
  /** `scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>` */
  secretHash: z.string().min(1),
  createdAt: z.iso.datetime(),
  /** When the current credentials were issued (add, ensure, rotate); a change ends connections made with the old ones. */
  credentialsIssuedAt: z.iso.datetime().optional(),
  location: deviceLocationSchema.optional(),
  meta: deviceMetaSchema.optional(),
});

export type DeviceRecord = z.infer<typeof deviceRecordSchema>;
/** What the rest of the system sees of a device: everything but the secret hash. */
export type Device = Omit<DeviceRecord, 'secretHash'>;
export type DeviceLocation = z.infer<typeof deviceLocationSchema>;

export const newDeviceSchema = deviceRecordSchema
  .omit({ secretHash: true, createdAt: true, credentialsIssuedAt: true })
  .extend({
    format: z.enum(PAYLOAD_FORMATS).optional(),
  });
export type NewDevice = z.input<typeof newDeviceSchema>;

/** Printed once by `ucap devices add`; the password is never stored in clear. */
export interface DeviceCredentials {
  readonly id: string;
  readonly city: string;
  readonly username: string;
  readonly password: string;
}
