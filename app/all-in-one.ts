import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { adminFrom } from '../api/api-config.ts';
import { apiKeysFrom } from '../api/api-keys.ts';
import { apiLimitsFrom } from '../api/api-limits.ts';
import { buildApi } from '../api/build-api.ts';
import { deviceRegistryPath, openDeviceRegistry } from '../devices/device-registry.ts';
import { presencePath } from '../devices/presence-file.ts';
import type { CityCatalog } from '../domain/cities.ts';
import { createGateway, type Gateway } from '../gateway/gateway.ts';
import { gatewayLimitsFrom, gatewayListenersFrom } from '../gateway/gateway-config.ts';
import { pipelineFromConfig } from '../ingest/pipeline-from-config.ts';
import type { ReadingPipeline } from '../ingest/reading-pipeline.ts';
import { ensureDataDir } from '../platform/data-dir.ts';
import type { Logger } from '../platform/logger.ts';
import { createMetricsRegistry } from '../platform/metrics.ts';
import { mqttUrl as mqttUrlOf } from '../platform/mqtt-url.ts';
import { type CitySimulator, createCitySimulator } from '../simulators/city-simulator.ts';
import { withLatestCache } from '../store/latest-cache.ts';
import { openStore } from '../store/open-store.ts';
import { describeStore } from '../store/store-config.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import type { AppConfig } from './app-config.ts';

export interface AllInOne {
  readonly apiUrl: string;
  readonly mqttUrl: string;
  readonly storeDescription: string;
  /** Decode-and-store, hooked into the gateway: a device's PUBACK means its reading is stored. */
  readonly pipeline: ReadingPipeline;
  readonly gateway: Gateway;
  readonly simulators: readonly CitySimulator[];
  /** Stops taking work, drains what is in flight, then closes everything; idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts store, gateway (with ingest in its publish path), API and simulators in this process, in
 * dependency order. There is no second MQTT hop: the gateway stores each reading before its PUBACK.
 */
export async function startAllInOne(
  config: AppConfig,
  cities: CityCatalog,
  logger: Logger,
): Promise<AllInOne> {
  const metrics = createMetricsRegistry('ucap-all-in-one');
  const serviceAccount = {
    username: config.MQTT_SERVICE_USERNAME,
    password: config.MQTT_SERVICE_PASSWORD ?? randomBytes(24).toString('base64url'),
  };
  const closers: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        logger.error({ err: error }, 'error during shutdown');
      }
    }
  };
  try {
    await ensureDataDir(config.DATA_DIR);
    // Every write (ingest) goes through this object, so /v1/latest needs no refresh from the store.
    const store: TimeSeriesStore = withLatestCache(
      await openStore(config, logger.child({ component: 'store' }), { cities: cities.list() }),
      { cities: cities.ids(), refreshMs: 0, logger: logger.child({ component: 'latest-cache' }) },
    );
    closers.push(() => store.close());
    const registry = openDeviceRegistry(deviceRegistryPath(config.DATA_DIR));

    const pipeline = pipelineFromConfig({ config, store, registry, cities, logger, metrics });
    closers.push(() => pipeline.close());
    const gateway: Gateway = await createGateway({
      registry,
      cities,
      serviceAccount,
      host: config.BIND_HOST,
      port: config.MQTT_PORT,
      logger: logger.child({ component: 'gateway' }),
      metrics,
      intake: { kind: 'embedded', pipeline },
      limits: gatewayLimitsFrom(config),
      listeners: gatewayListenersFrom(config),
      presencePath: presencePath(config.DATA_DIR),
    });
    const mqtt = await gateway.listen();
    // Closing the gateway first lets every reading already received become durable and acknowledged.
    closers.push(() => gateway.close());
    const mqttUrl = mqttUrlOf(mqtt.host, mqtt.port);

    const admin = adminFrom(config, registry);
    const api: FastifyInstance = await buildApi({
      store,
      cities,
      registry,
      ...(admin && { admin }),
      presence: gateway.presence,
      metrics,
      logger: logger.child({ component: 'api' }),
      limits: apiLimitsFrom(config),
      ...apiKeysFrom(config),
      readinessChecks: [{ name: 'store-writes', check: () => pipeline.ping() }],
    });
    const apiAddress = await api.listen({ host: config.BIND_HOST, port: config.API_PORT });
    closers.push(() => api.close());

    const simulators =
      config.SIMULATE === 'true' ? await startSimulators(config, cities, registry, mqttUrl, logger) : [];
    // Simulators stop first (closers run in reverse), so ingest can drain everything they sent.
    closers.push(async () => {
      await Promise.all(simulators.map((s) => s.stop()));
    });

    let stopping: Promise<void> | undefined;
    return {
      apiUrl: apiAddress,
      mqttUrl,
      storeDescription: describeStore(config),
      pipeline,
      gateway,
      simulators,
      stop: () => {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function startSimulators(
  config: AppConfig,
  cities: CityCatalog,
  registry: ReturnType<typeof openDeviceRegistry>,
  mqttUrl: string,
  logger: Logger,
): Promise<CitySimulator[]> {
  const wanted =
    config.SIMULATOR_CITIES === 'all'
      ? cities.ids()
      : config.SIMULATOR_CITIES.split(',').map((c) => c.trim());
  const simulators = wanted.map((id) => {
    const city = cities.get(id);
    if (!city) throw new Error(`SIMULATOR_CITIES: unknown city "${id}" (known: ${cities.ids().join(', ')})`);
    return createCitySimulator({
      city,
      mqttUrl,
      registry,
      intervalMs: config.SIMULATOR_INTERVAL_MS,
      logger: logger.child({ component: 'simulator' }),
    });
  });
  // Provisioning hashes each device secret (scrypt): start the cities side by side.
  const started = await Promise.allSettled(simulators.map((s) => s.start()));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(simulators.map((s) => s.stop()));
    throw failed.reason;
  }
  return simulators;
}
