import type { Registry } from 'prom-client';
import type { IndexSeriesConfig } from '../aqi/start-index-series.ts';
import { startIndexSeries } from '../aqi/start-index-series.ts';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import type { CityCatalog } from '../domain/cities.ts';
import type { Logger } from '../platform/logger.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import { createDeviceMetaRecorder } from './device-meta-recorder.ts';
import { batchOptionsFrom, timePolicyFrom } from './ingest-config.ts';
import { createReadingPipeline, type ReadingPipeline } from './reading-pipeline.ts';

type PipelineConfig = Parameters<typeof batchOptionsFrom>[0] &
  IndexSeriesConfig & {
    readonly INGEST_MAX_REJECTIONS_PER_DEVICE_MINUTE: number;
  };

/**
 * The one way every process that writes readings (gateway, ingest worker, all-in-one) builds its
 * decode-and-store pipeline. It also keeps the air-quality index series current when the store can
 * hold them (index-series maintainer, aqi/): closing the pipeline flushes it after the last write.
 */
export function pipelineFromConfig(deps: {
  readonly config: PipelineConfig;
  readonly store: TimeSeriesStore;
  readonly registry: DeviceRegistry;
  readonly cities: CityCatalog;
  readonly logger: Logger;
  readonly metrics: Registry;
}): ReadingPipeline {
  const { config, registry, logger, cities } = deps;
  const indexSeries = startIndexSeries(
    config,
    deps.store,
    cities,
    logger.child({ component: 'index-series' }),
  );
  const pipeline = createReadingPipeline({
    store: indexSeries?.store ?? deps.store,
    // Devices not (or no longer) in the registry still speak the default contract.
    formatOf: async (deviceId) => (await registry.get(deviceId))?.format ?? 'native',
    deviceMeta: createDeviceMetaRecorder(registry, logger.child({ component: 'ingest' })),
    cities,
    timePolicy: timePolicyFrom(config),
    batch: batchOptionsFrom(config),
    maxRejectionsPerDeviceMinute: config.INGEST_MAX_REJECTIONS_PER_DEVICE_MINUTE,
    logger,
    metrics: deps.metrics,
  });
  if (indexSeries === undefined) return pipeline;
  return {
    admit: (message) => pipeline.admit(message),
    stats: () => pipeline.stats(),
    ping: () => pipeline.ping(),
    close: async () => {
      await pipeline.close();
      await indexSeries.close();
    },
  };
}
