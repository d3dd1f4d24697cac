import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { apiKeysFrom } from '../api/api-keys.ts';
import { apiLimitsFrom } from '../api/api-limits.ts';
import { buildApi } from '../api/build-api.ts';
import { deviceRegistryPath, openDeviceRegistry } from '../devices/device-registry.ts';
import type { CityCatalog } from '../domain/cities.ts';
import { createGateway, type Gateway } from '../gateway/gateway.ts';
import { brokerPersistenceFrom } from '../gateway/gateway-config.ts';
import { createDeviceMetaRecorder } from '../ingest/device-meta-recorder.ts';
import { batchOptionsFrom, timePolicyFrom } from '../ingest/ingest-config.ts';
import { createIngest, type Ingest } from '../ingest/ingest-worker.ts';
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
  readonly ingest: Ingest;
  readonly simulators: readonly CitySimulator[];
  /** Stops taking work, drains what is in flight, then closes everything; idempotent. */
  stop(): Promise<void>;
}

/** Starts gateway, ingest, API and simulators in this process, in dependency order. */
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
    // Every write (ingest) goes through this object, so /v1/latest needs no refresh from the store.
    const store: TimeSeriesStore = withLatestCache(
      await openStore(config, logger.child({ component: 'store' })),
      { cities: cities.ids(), refreshMs: 0, logger: logger.child({ component: 'latest-cache' }) },
    );
    closers.push(() => store.close());
    const registry = openDeviceRegistry(deviceRegistryPath(config.DATA_DIR));

    const gateway: Gateway = await createGateway({
      registry,
      cities,
      serviceAccount,
      host: config.BIND_HOST,
      port: config.MQTT_PORT,
      logger: logger.child({ component: 'gateway' }),
      metrics,
      persistence: brokerPersistenceFrom(config),
    });
    const mqtt = await gateway.listen();
    closers.push(() => gateway.close());
    const mqttUrl = mqttUrlOf(mqtt.host, mqtt.port);

    const ingest = createIngest({
      mqttUrl,
      username: serviceAccount.username,
      password: serviceAccount.password,
      clientId: config.INGEST_CLIENT_ID,
      store,
      formatOf: async (deviceId) => (await registry.get(deviceId))?.format ?? 'native',
      deviceMeta: createDeviceMetaRecorder(registry, logger.child({ component: 'ingest' })),
      cities,
      timePolicy: timePolicyFrom(config),
      batch: batchOptionsFrom(config),
      logger, // ingest names its own component
      metrics,
    });
    await ingest.start();
    closers.push(() => ingest.stop());

    const api: FastifyInstance = await buildApi({
      store,
      cities,
      registry,
      metrics,
      logger: logger.child({ component: 'api' }),
      limits: apiLimitsFrom(config),
      ...apiKeysFrom(config),
      readinessChecks: [
        {
          name: 'ingest:mqtt',
          check: async () => {
            if (!ingest.stats().connected) throw new Error('ingest is not connected to the gateway');
          },
        },
      ],
    });
    const apiAddress = await api.listen({ host: config.BIND_HOST, port: config.API_PORT });
    closers.push(() => api.close());
    // Once the simulators have stopped, let ingest take in everything the broker still holds
    // before it stops taking messages (with GATEWAY_PERSISTENCE=memory the rest would be lost).
    closers.push(() => waitUntilQuiet(() => messagesSeen(ingest)));

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
      ingest,
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

function messagesSeen(ingest: Ingest): number {
  const { readingsByCity, rejectionsByCity, buffered } = ingest.stats();
  const sum = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0);
  return sum(readingsByCity) + sum(rejectionsByCity) + buffered;
}

/** Resolves once `count` has not changed for `quietMs` (or after `maxMs`, whichever comes first). */
async function waitUntilQuiet(count: () => number, quietMs = 300, maxMs = 5_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = count();
  let stableSince = Date.now();
  while (Date.now() < deadline && Date.now() - stableSince < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = count();
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    }
  }
}
