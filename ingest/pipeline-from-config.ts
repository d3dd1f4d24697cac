import type { Registry } from 'prom-client';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import type { CityCatalog } from '../domain/cities.ts';
import type { Logger } from '../platform/logger.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import { createDeviceMetaRecorder } from './device-meta-recorder.ts';
import { batchOptionsFrom, timePolicyFrom } from './ingest-config.ts';
import { createReadingPipeline, type ReadingPipeline } from './reading-pipeline.ts';

type TuningConfig = Parameters<typeof batchOptionsFrom>[0] & {
  readonly INGEST_MAX_REJECTIONS_PER_DEVICE_MINUTE: number;
};

/** The one way every service (gateway, ingest worker, all-in-one) builds its decode-and-store pipeline. */
export function pipelineFromConfig(deps: {
  readonly config: TuningConfig;
  readonly store: TimeSeriesStore;
  readonly registry: DeviceRegistry;
  readonly cities: CityCatalog;
  readonly logger: Logger;
  readonly metrics: Registry;
}): ReadingPipeline {
  const { config, registry, logger } = deps;
  return createReadingPipeline({
    store: deps.store,
    // Devices not (or no longer) in the registry still speak the default contract.
    formatOf: async (deviceId) => (await registry.get(deviceId))?.format ?? 'native',
    deviceMeta: createDeviceMetaRecorder(registry, logger.child({ component: 'ingest' })),
    cities: deps.cities,
    timePolicy: timePolicyFrom(config),
    batch: batchOptionsFrom(config),
    maxRejectionsPerDeviceMinute: config.INGEST_MAX_REJECTIONS_PER_DEVICE_MINUTE,
    logger,
    metrics: deps.metrics,
  });
}
