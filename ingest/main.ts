import type { FastifyInstance } from 'fastify';
import { deviceRegistryPath, openDeviceRegistry } from '../devices/device-registry.ts';
import type { CityCatalog } from '../domain/cities.ts';
import { loadCityCatalog } from '../platform/city-config.ts';
import { parseConfig } from '../platform/config.ts';
import { ensureDataDir } from '../platform/data-dir.ts';
import { createLogger } from '../platform/logger.ts';
import { createMetricsRegistry } from '../platform/metrics.ts';
import { mqttUrl } from '../platform/mqtt-url.ts';
import { createOpsServer } from '../platform/ops-server.ts';
import { runMain, stopOnSignals } from '../platform/process-lifecycle.ts';
import { openStore } from '../store/open-store.ts';
import { describeStore } from '../store/store-config.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import { type IngestConfig, ingestConfigSchema } from './ingest-config.ts';
import { createIngest, type Ingest } from './ingest-worker.ts';
import { pipelineFromConfig } from './pipeline-from-config.ts';

// `npm run ingest`: the ingest worker alone, taking readings from a gateway started separately.
const logger = createLogger('ucap-ingest');

interface Running {
  readonly ingest: Ingest;
  readonly ops: FastifyInstance;
  readonly store: TimeSeriesStore;
}

async function main(): Promise<void> {
  const config = parseConfig(ingestConfigSchema);
  await ensureDataDir(config.DATA_DIR);
  logger.level = config.LOG_LEVEL;
  const cities = loadCityCatalog(config.CITIES_FILE);
  const store = await openStore(config, logger.child({ component: 'store' }), { cities: cities.list() });
  let running: Running;
  try {
    running = await build(config, store, cities);
  } catch (error) {
    // Release the store even when start-up fails: the embedded store holds a file lock.
    await store.close();
    throw error;
  }
  // Stop taking messages, write and confirm what is buffered, then release the store.
  const { ingest, ops } = running;
  stopOnSignals(logger, [() => ingest.stop(), () => ops.close(), () => store.close()], {
    draining: 'draining buffered readings',
    inFlight: () => ({ buffered: ingest.stats().buffered }),
  });
  // Waits for the broker (retrying with backoff); /readyz says "mqtt" is not ready meanwhile.
  await running.ingest.start();
}

async function build(config: IngestConfig, store: TimeSeriesStore, cities: CityCatalog): Promise<Running> {
  const metrics = createMetricsRegistry('ucap-ingest');
  const registry = openDeviceRegistry(deviceRegistryPath(config.DATA_DIR));
  const url = mqttUrl(config.MQTT_HOST, config.MQTT_PORT);
  const pipeline = pipelineFromConfig({ config, store, registry, cities, logger, metrics });
  const ingest = createIngest({
    mqttUrl: url,
    username: config.MQTT_SERVICE_USERNAME,
    password: config.MQTT_SERVICE_PASSWORD,
    clientId: config.INGEST_CLIENT_ID,
    source: config.INGEST_SOURCE,
    pipeline,
    logger,
    metrics,
  });
  const ops = createOpsServer({
    metrics,
    logger,
    checks: [
      { name: 'store', check: () => pipeline.ping() },
      {
        name: 'mqtt',
        check: async () => {
          if (!ingest.stats().connected) throw new Error(`not connected to the MQTT broker at ${url}`);
        },
      },
    ],
  });
  const opsUrl = await ops.listen({ host: config.BIND_HOST, port: config.INGEST_HTTP_PORT });
  logger.info(
    { ops: opsUrl, mqtt: url, source: config.INGEST_SOURCE, store: describeStore(config) },
    `ucap ingest: ops endpoints on ${opsUrl}`,
  );
  return { ingest, ops, store };
}

runMain(logger, main);
