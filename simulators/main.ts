import { deviceRegistryPath, openDeviceRegistry } from '../devices/device-registry.ts';
import { loadCityCatalog } from '../platform/city-config.ts';
import { parseConfig } from '../platform/config.ts';
import { createLogger } from '../platform/logger.ts';
import { type CitySimulator, createCitySimulator } from './city-simulator.ts';
import { parseSimulateArgs } from './simulate-args.ts';
import { simulatorConfigSchema } from './simulator-config.ts';
import { simulatedCityIds } from './stations.ts';

// `npm run simulate -- --city nice|zhengzhou|all [--interval 5s] [--seed 42]`

async function main(): Promise<void> {
  const config = parseConfig(simulatorConfigSchema);
  const catalog = loadCityCatalog(config.CITIES_FILE);
  const simulatable = simulatedCityIds().filter((id) => catalog.has(id));
  const args = parseSimulateArgs(process.argv.slice(2), simulatable);
  const logger = createLogger('simulators', config.LOG_LEVEL);
  const registry = openDeviceRegistry(deviceRegistryPath(config.DATA_DIR));
  const mqttUrl = `mqtt://${config.MQTT_HOST}:${config.MQTT_PORT}`;
  const simulators: CitySimulator[] = args.cities.map((cityId) => {
    const city = catalog.get(cityId);
    if (!city) throw new Error(`city "${cityId}" vanished from the catalog`);
    return createCitySimulator({
      city,
      mqttUrl,
      registry,
      intervalMs: args.intervalMs,
      logger,
      ...(args.seed === undefined ? {} : { seed: args.seed }),
    });
  });

  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    logger.info({ signal }, 'stopping simulators');
    stopping = Promise.allSettled(simulators.map((s) => s.stop())).then(() => {
      const published = simulators.reduce((sum, s) => sum + s.stats().published, 0);
      logger.info({ published }, 'simulators stopped');
    });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));

  try {
    for (const simulator of simulators) await simulator.start();
  } catch (error) {
    await Promise.allSettled(simulators.map((s) => s.stop()));
    throw error;
  }
  logger.info({ cities: args.cities, mqttUrl, intervalMs: args.intervalMs }, 'simulating');
}

main().catch((error: unknown) => {
  // Start-up failures (usage, configuration, an unreachable gateway) are for a person at a
  // terminal: the message, not a stack.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`simulate: ${message}\n`);
  process.exitCode = 1;
});
