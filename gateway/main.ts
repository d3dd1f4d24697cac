import { deviceRegistryPath, openDeviceRegistry } from '../devices/device-registry.ts';
import { presencePath } from '../devices/presence-file.ts';
import { pipelineFromConfig } from '../ingest/pipeline-from-config.ts';
import type { ReadingPipeline } from '../ingest/reading-pipeline.ts';
import { loadCityCatalog } from '../platform/city-config.ts';
import { parseConfig } from '../platform/config.ts';
import { ensureDataDir } from '../platform/data-dir.ts';
import { createLogger } from '../platform/logger.ts';
import { createMetricsRegistry } from '../platform/metrics.ts';
import { mqttUrl } from '../platform/mqtt-url.ts';
import { createOpsServer, type ReadinessCheck } from '../platform/ops-server.ts';
import { runMain, type StopStep, stopOnSignals } from '../platform/process-lifecycle.ts';
import { openStore } from '../store/open-store.ts';
import { describeStore } from '../store/store-config.ts';
import { WS_PATH } from './extra-listeners.ts';
import { createGateway, type Gateway } from './gateway.ts';
import { gatewayConfigSchema, gatewayLimitsFrom, gatewayListenersFrom } from './gateway-config.ts';

// `npm run gateway`: the MQTT gateway, with its ops endpoints on GATEWAY_HTTP_PORT.
const logger = createLogger('ucap-gateway');

async function main(): Promise<void> {
  const config = parseConfig(gatewayConfigSchema);
  logger.level = config.LOG_LEVEL;
  const cities = loadCityCatalog(config.CITIES_FILE);
  await ensureDataDir(config.DATA_DIR);
  const registryPath = deviceRegistryPath(config.DATA_DIR);
  const registry = openDeviceRegistry(registryPath);
  // Fail at start-up on a corrupt registry rather than refusing every device later.
  const devices = await registry.list();
  const metrics = createMetricsRegistry('ucap-gateway');
  const embedded = config.GATEWAY_INGEST === 'embedded';
  const store = embedded
    ? await openStore(config, logger.child({ component: 'store' }), { cities: cities.list() })
    : undefined;
  let pipeline: ReadingPipeline | undefined;
  if (store) pipeline = pipelineFromConfig({ config, store, registry, cities, logger, metrics });
  let gateway: Gateway;
  try {
    gateway = await createGateway({
      registry,
      cities,
      serviceAccount: { username: config.MQTT_SERVICE_USERNAME, password: config.MQTT_SERVICE_PASSWORD },
      host: config.BIND_HOST,
      port: config.MQTT_PORT,
      logger,
      metrics,
      intake: pipeline
        ? { kind: 'embedded', pipeline }
        : { kind: 'relay', limits: { maxUnconfirmed: config.GATEWAY_RELAY_MAX_UNCONFIRMED } },
      limits: gatewayLimitsFrom(config),
      listeners: gatewayListenersFrom(config),
      presencePath: presencePath(config.DATA_DIR),
    });
  } catch (error) {
    await store?.close();
    throw error;
  }
  const checks: ReadinessCheck[] = [
    { name: 'device-registry', check: async () => void (await registry.list()) },
  ];
  if (pipeline) {
    const p = pipeline;
    checks.push({ name: 'store', check: () => p.ping() });
  }
  const relay = gateway.relay;
  if (relay) {
    checks.push({
      name: 'ingest-workers',
      check: async () => {
        if (relay.stats().workers === 0)
          throw new Error(
            'no ingest worker is connected: readings are held unacknowledged until one is (npm run ingest)',
          );
      },
    });
  }
  const ops = createOpsServer({ metrics, logger, checks });
  try {
    const mqtt = await gateway.listen();
    const opsUrl = await ops.listen({ host: config.BIND_HOST, port: config.GATEWAY_HTTP_PORT });
    const url = mqttUrl(mqtt.host, mqtt.port);
    const extras = {
      ...(mqtt.tlsPort !== undefined && { mqtts: mqtt.tlsPort }),
      ...(mqtt.wsPort !== undefined && { [mqtt.wsTls ? 'wss' : 'ws']: `${mqtt.wsPort} ${WS_PATH}` }),
    };
    logger.info(
      {
        mqtt: url,
        ...extras,
        ops: opsUrl,
        registry: registryPath,
        ingest: config.GATEWAY_INGEST,
        ...(embedded && { store: describeStore(config) }),
        devices: devices.length,
        cities: cities.ids(),
      },
      `ucap gateway listening on ${url} (MQTT 3.1.1) — metrics ${opsUrl}/metrics`,
    );
  } catch (error) {
    await Promise.allSettled([gateway.close(), ops.close()]);
    await store?.close();
    throw error;
  }
  // Readings already received become durable and are acknowledged; devices resend the rest.
  const steps: StopStep[] = [() => gateway.close(), () => ops.close()];
  if (pipeline) steps.push(() => (pipeline as ReadingPipeline).close());
  if (store) steps.push(() => store.close());
  stopOnSignals(logger, steps, {
    draining: 'storing readings already received',
    forceAfterMs: 30_000,
    inFlight: () => ({
      readingsAwaitingStore: gateway.pendingReadings(),
      ...(pipeline && { buffered: pipeline.stats().buffered }),
      ...(relay && { unconfirmedByIngest: relay.stats().unconfirmed }),
    }),
  });
}

runMain(logger, main);
