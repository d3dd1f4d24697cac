import { loadCityCatalog } from '../platform/city-config.ts';
import { parseConfig } from '../platform/config.ts';
import { limitHeapGrowth } from '../platform/heap-growth.ts';
import { createLogger } from '../platform/logger.ts';
import { runMain, stopOnSignals } from '../platform/process-lifecycle.ts';
import { type AllInOne, startAllInOne } from './all-in-one.ts';
import { appConfigSchema } from './app-config.ts';
import { formatProgress, type ProgressSnapshot } from './progress.ts';

// `npm start`: the whole pipeline with both cities' simulators in one process.
limitHeapGrowth();
const logger = createLogger('ucap');

async function main(): Promise<void> {
  const config = parseConfig(appConfigSchema);
  const cities = loadCityCatalog(config.CITIES_FILE);
  const app = await startAllInOne(config, cities, logger);
  logger.info(
    { api: app.apiUrl, docs: `${app.apiUrl}/docs`, mqtt: app.mqttUrl, store: app.storeDescription },
    `ucap-monitor running — API ${app.apiUrl} (docs ${app.apiUrl}/docs), MQTT ${app.mqttUrl}, store: ${app.storeDescription}. Ctrl-C to stop.`,
  );
  const timer = startProgress(app, config.PROGRESS_INTERVAL_MS);
  stopOnSignals(
    logger,
    [
      async () => clearInterval(timer),
      () => app.stop(),
      async () => logger.info(progressSnapshot(app), 'final totals'),
    ],
    {
      draining: 'stopping simulators and storing readings already received',
      inFlight: () => ({
        readingsAwaitingStore: app.gateway.pendingReadings(),
        buffered: app.pipeline.stats().buffered,
      }),
    },
  );
}

function progressSnapshot(app: AllInOne): ProgressSnapshot {
  const stats = app.pipeline.stats();
  return {
    readingsByCity: stats.readingsByCity,
    rejectionsByCity: stats.rejectionsByCity,
    buffered: stats.buffered,
    published: app.simulators.reduce((sum, s) => sum + s.stats().published, 0),
  };
}

function startProgress(app: AllInOne, everyMs: number): NodeJS.Timeout {
  let previous = progressSnapshot(app);
  return setInterval(() => {
    const current = progressSnapshot(app);
    logger.info(current, formatProgress(previous, current, everyMs));
    previous = current;
  }, everyMs).unref();
}

runMain(logger, main);
