import { isUcapError } from '../domain/errors.ts';
import { loadCityCatalog } from '../platform/city-config.ts';
import { parseConfig } from '../platform/config.ts';
import { createLogger } from '../platform/logger.ts';
import { type AllInOne, startAllInOne } from './all-in-one.ts';
import { appConfigSchema } from './app-config.ts';
import { formatProgress, type ProgressSnapshot } from './progress.ts';

// `npm start`: the whole pipeline with both cities' simulators in one process.
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
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'stopping: draining in-flight readings');
    clearInterval(timer);
    app
      .stop()
      .then(() => {
        logger.info(progressSnapshot(app), 'stopped cleanly');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

function progressSnapshot(app: AllInOne): ProgressSnapshot {
  const stats = app.ingest.stats();
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

main().catch((error: unknown) => {
  if (isUcapError(error)) logger.fatal({ code: error.code }, error.message);
  else logger.fatal({ err: error }, 'start-up failed');
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
