import { z } from 'zod';
import { indexSeriesFields } from '../aqi/index-series-config.ts';
import type { TimePolicy } from '../domain/timestamps.ts';
import { DEVICE_ID_PATTERN } from '../domain/topics.ts';
import {
  commonFields,
  hostSchema,
  millisSchema,
  mqttConnectionFields,
  portSchema,
  positiveIntSchema,
} from '../platform/config.ts';
import { refineStoreConfig, storeConfigSchema } from '../store/store-config.ts';
import { type BatchOptions, DEFAULT_BATCH_LIMITS } from './batch-writer.ts';

/** Ingest's tuning variables, shared with the all-in-one process so names never drift. */
export const ingestFields = {
  MQTT_SERVICE_USERNAME: z.string().min(1).default('ucap-ingest'),
  /** Stable across restarts: the relay addresses the worker by it (so: letters, digits, `.`, `_`, `-`). */
  INGEST_CLIENT_ID: z
    .string()
    .regex(
      DEVICE_ID_PATTERN,
      'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
    )
    .default('ucap-ingest'),
  INGEST_BATCH_SIZE: positiveIntSchema.default(DEFAULT_BATCH_LIMITS.batchSize),
  INGEST_FLUSH_INTERVAL_MS: millisSchema.default(DEFAULT_BATCH_LIMITS.flushIntervalMs),
  INGEST_MAX_BUFFERED: positiveIntSchema.default(DEFAULT_BATCH_LIMITS.maxBufferedItems),
  INGEST_MAX_FUTURE_MS: millisSchema.default(5 * 60_000),
  INGEST_MAX_AGE_MS: millisSchema.default(30 * 24 * 3_600_000),
  /** Rejections stored per device and minute (ingest/rejection-budget.ts); the rest are counted only. */
  INGEST_MAX_REJECTIONS_PER_DEVICE_MINUTE: positiveIntSchema.default(60),
};

const DAY_MS = 24 * 3_600_000;

/**
 * Ingest accepts readings up to INGEST_MAX_AGE_MS old, QoS 1 redeliveries included. Raw readings
 * must be kept at least that long: a resent reading whose raw hour the retention already deleted
 * could not be recognised as a rewrite, and would be counted twice in the rollups.
 */
export function refineRetentionAgainstMaxAge(
  config: { readonly RAW_RETENTION_DAYS: number; readonly INGEST_MAX_AGE_MS: number },
  ctx: z.RefinementCtx,
): void {
  if (config.RAW_RETENTION_DAYS === 0 || config.INGEST_MAX_AGE_MS <= config.RAW_RETENTION_DAYS * DAY_MS)
    return;
  const days = Math.ceil(config.INGEST_MAX_AGE_MS / DAY_MS);
  ctx.addIssue({
    code: 'custom',
    path: ['RAW_RETENTION_DAYS'],
    message: `must keep raw readings at least as long as ingest accepts them (INGEST_MAX_AGE_MS: ${days} days), or a resent old reading would be counted twice: set it to ${days} or more, or lower INGEST_MAX_AGE_MS`,
  });
}

/** `npm run ingest`: the ingest worker alone, next to a gateway running elsewhere. */
export const ingestConfigSchema = z
  .object({
    ...commonFields,
    ...storeConfigSchema.shape,
    ...mqttConnectionFields,
    ...ingestFields,
    ...indexSeriesFields,
    INGEST_SOURCE: z
      .enum(['relay', 'subscribe'], {
        message:
          'must be relay (batches from our gateway) or subscribe (ucap/+/+/readings on any MQTT broker)',
      })
      .default('relay'),
    // Standalone, ingest cannot invent the secret: it must be the one the gateway was started with.
    MQTT_SERVICE_PASSWORD: z
      .string({ message: "required: set it to the gateway's MQTT_SERVICE_PASSWORD" })
      .min(1, "required: set it to the gateway's MQTT_SERVICE_PASSWORD"),
    BIND_HOST: hostSchema,
    INGEST_HTTP_PORT: portSchema.default(9102),
  })
  .superRefine(refineStoreConfig)
  .superRefine(refineRetentionAgainstMaxAge);

export type IngestConfig = z.infer<typeof ingestConfigSchema>;

type TuningConfig = Pick<
  IngestConfig,
  | 'INGEST_BATCH_SIZE'
  | 'INGEST_FLUSH_INTERVAL_MS'
  | 'INGEST_MAX_BUFFERED'
  | 'INGEST_MAX_FUTURE_MS'
  | 'INGEST_MAX_AGE_MS'
>;

export function batchOptionsFrom(config: TuningConfig): BatchOptions {
  return {
    batchSize: config.INGEST_BATCH_SIZE,
    flushIntervalMs: config.INGEST_FLUSH_INTERVAL_MS,
    maxBufferedItems: config.INGEST_MAX_BUFFERED,
  };
}

export function timePolicyFrom(config: TuningConfig): TimePolicy {
  return { maxFutureMs: config.INGEST_MAX_FUTURE_MS, maxAgeMs: config.INGEST_MAX_AGE_MS };
}
