import { deviceRegistryPath, openDeviceRegistry } from '../devices/device-registry.ts';
import { presencePath } from '../devices/presence-file.ts';
import { loadCityCatalog } from '../platform/city-config.ts';
import { parseConfig } from '../platform/config.ts';
import { ensureDataDir } from '../platform/data-dir.ts';
import { createLogger } from '../platform/logger.ts';
import { createMetricsRegistry } from '../platform/metrics.ts';
import { mqttUrl } from '../platform/mqtt-url.ts';
import { createOpsServer } from '../platform/ops-server.ts';
import { runMain, stopOnSignals } from '../platform/process-lifecycle.ts';
import { WS_PATH } from './extra-listeners.ts';
import { createGateway } from './gateway.ts';
import {
  brokerPersistenceFrom,
  gatewayConfigSchema,
  gatewayLimitsFrom,
  gatewayListenersFrom,
} from './gateway-config.ts';

// `npm run gateway`: the MQTT gateway alone, with its ops endpoints on GATEWAY_HTTP_PORT.
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
  const gateway = await createGateway({
    registry,
    cities,
    serviceAccount: { username: config.MQTT_SERVICE_USERNAME, password: config.MQTT_SERVICE_PASSWORD },
    host: config.BIND_HOST,
    port: config.MQTT_PORT,
    logger,
    metrics,
    persistence: brokerPersistenceFrom(config),
    limits: gatewayLimitsFrom(config),
    listeners: gatewayListenersFrom(config),
    presencePath: presencePath(config.DATA_DIR),
  });
  const ops = createOpsServer({
    metrics,
    logger,
    checks: [{ name: 'device-registry', check: async () => void (await registry.list()) }],
  });
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
        persistence: config.GATEWAY_PERSISTENCE,
        devices: devices.length,
        cities: cities.ids(),
      },
      `ucap gateway listening on ${url} (MQTT 3.1.1) — metrics ${opsUrl}/metrics`,
    );
  } catch (error) {
    await Promise.allSettled([gateway.close(), ops.close()]);
    throw error;
  }
  // Disconnecting clients is safe: QoS 1 senders resend what was not acknowledged.
  stopOnSignals(logger, [() => gateway.close(), () => ops.close()], {
    draining: 'disconnecting clients',
    forceAfterMs: 10_000,
  });
}

runMain(logger, main);
