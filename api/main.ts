import type { FastifyInstance } from 'fastify';
import { deviceRegistryPath, openDeviceRegistry } from '../devices/device-registry.ts';
import { isUcapError } from '../domain/errors.ts';
import { loadCityCatalog } from '../platform/city-config.ts';
import { parseConfig } from '../platform/config.ts';
import { createLogger } from '../platform/logger.ts';
import { createMetricsRegistry } from '../platform/metrics.ts';
import { openStore } from '../store/open-store.ts';
import { describeStore } from '../store/store-config.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import { apiConfigSchema } from './api-config.ts';
import { buildApi } from './build-api.ts';

// `npm run api`: the researchers' API alone, reading the store the ingest service writes.
const logger = createLogger('ucap-api');

async function main(): Promise<void> {
  const config = parseConfig(apiConfigSchema);
  logger.level = config.LOG_LEVEL;
  const cities = loadCityCatalog(config.CITIES_FILE);
  const store = await openStore(config, logger.child({ component: 'store' }));
  let app: FastifyInstance;
  let url: string;
  try {
    app = await buildApi({
      store,
      cities,
      registry: openDeviceRegistry(deviceRegistryPath(config.DATA_DIR)),
      metrics: createMetricsRegistry('ucap-api'),
      logger,
    });
    url = await app.listen({ host: config.BIND_HOST, port: config.API_PORT });
  } catch (error) {
    // Release the store even when start-up fails: the embedded store holds a file lock.
    await store.close();
    throw error;
  }
  logger.info(
    { api: url, docs: `${url}/docs`, store: describeStore(config) },
    `ucap API listening on ${url} — docs ${url}/docs`,
  );
  process.once('SIGINT', () => void shutdown(app, store, 'SIGINT'));
  process.once('SIGTERM', () => void shutdown(app, store, 'SIGTERM'));
}

/** Stops accepting connections, lets in-flight requests finish, then releases the store. */
async function shutdown(app: FastifyInstance, store: TimeSeriesStore, signal: string): Promise<void> {
  logger.info({ signal }, 'stopping: finishing in-flight requests');
  try {
    await app.close();
    await store.close();
    logger.info('stopped cleanly');
    process.exit(0);
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  if (isUcapError(error)) logger.fatal({ code: error.code }, error.message);
  else logger.fatal({ err: error }, 'start-up failed');
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
