import type { FastifyInstance } from 'fastify';
import { deviceRegistryPath, openDeviceRegistry } from '../devices/device-registry.ts';
import { presenceFileSource, presencePath } from '../devices/presence-file.ts';
import { loadCityCatalog } from '../platform/city-config.ts';
import { parseConfig } from '../platform/config.ts';
import { ensureDataDir } from '../platform/data-dir.ts';
import { limitHeapGrowth } from '../platform/heap-growth.ts';
import { createLogger } from '../platform/logger.ts';
import { createMetricsRegistry } from '../platform/metrics.ts';
import { runMain, stopOnSignals } from '../platform/process-lifecycle.ts';
import { withLatestCache } from '../store/latest-cache.ts';
import { openStore } from '../store/open-store.ts';
import { describeStore } from '../store/store-config.ts';
import { adminFrom, apiConfigSchema } from './api-config.ts';
import { apiKeysFrom } from './api-keys.ts';
import { apiLimitsFrom } from './api-limits.ts';
import { buildApi } from './build-api.ts';

// `npm run api`: the researchers' API alone, reading the store the ingest service writes.
limitHeapGrowth();
const logger = createLogger('ucap-api');

async function main(): Promise<void> {
  const config = parseConfig(apiConfigSchema);
  await ensureDataDir(config.DATA_DIR);
  logger.level = config.LOG_LEVEL;
  const cities = loadCityCatalog(config.CITIES_FILE);
  // The ingest service writes the store: /v1/latest is kept in memory and refreshed from it.
  const store = withLatestCache(
    await openStore(config, logger.child({ component: 'store' }), {
      cities: cities.list(),
      // With InfluxDB the ingest service, the writer, applies the raw retention.
      applyRetention: config.INFLUX_URL === undefined,
    }),
    {
      cities: cities.ids(),
      refreshMs: config.API_LATEST_REFRESH_MS,
      logger: logger.child({ component: 'latest-cache' }),
    },
  );
  let app: FastifyInstance;
  let url: string;
  try {
    const registry = openDeviceRegistry(deviceRegistryPath(config.DATA_DIR));
    const admin = adminFrom(config, registry);
    app = await buildApi({
      store,
      cities,
      registry,
      ...(admin && { admin }),
      presence: presenceFileSource(presencePath(config.DATA_DIR)),
      metrics: createMetricsRegistry('ucap-api'),
      logger,
      limits: apiLimitsFrom(config),
      ...apiKeysFrom(config),
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
  // In-flight requests finish before the store is released.
  stopOnSignals(logger, [() => app.close(), () => store.close()], {
    draining: 'finishing in-flight requests',
  });
}

runMain(logger, main);
