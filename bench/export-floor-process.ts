import { exportLines, openExportPages, readWithoutDeadline } from '../api/readings-export.ts';
import { parseConfig } from '../platform/config.ts';
import { limitHeapGrowth } from '../platform/heap-growth.ts';
import { createLogger } from '../platform/logger.ts';
import { openStore } from '../store/open-store.ts';
import { storeConfigSchema } from '../store/store-config.ts';

/**
 * The export bench's floor, as its own process: the store the API opens (same config, same V8
 * heap growth), read page by page and written as CSV lines by the API's own export code, with no
 * fastify, no HTTP and no socket: the bytes are counted and dropped. Its peak RSS is what node and
 * the store cost for the export before the API adds anything, so the export bench can tell the
 * API's share from what any process holding the embedded store would need.
 *
 * Logs "store open" once ready; on SIGUSR2 exports EXPORT_CITY from EXPORT_FROM to EXPORT_TO (epoch
 * ms) and logs "export done" with rows and ms; SIGINT closes the store and exits.
 */
limitHeapGrowth();
const logger = createLogger('export-floor');
const store = await openStore(parseConfig(storeConfigSchema), logger);
const city = process.env.EXPORT_CITY ?? 'nice';
const from = Number(process.env.EXPORT_FROM);
const to = Number(process.env.EXPORT_TO);

async function exportOnce(): Promise<void> {
  const started = performance.now();
  const pages = await openExportPages({
    store,
    query: { city, to },
    start: { from, offset: 0 },
    limit: Number.POSITIVE_INFINITY,
    readPage: readWithoutDeadline,
  });
  let lines = 0;
  let bytes = 0;
  for await (const chunk of exportLines(pages, 'csv')) {
    bytes += chunk.length;
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines += 1;
  }
  logger.info({ rows: lines - 1, bytes, ms: performance.now() - started }, 'export done');
}

process.on('SIGUSR2', () => {
  exportOnce().catch((error: unknown) => logger.error({ err: error }, 'export failed'));
});
// Nothing else keeps this process alive between the signals.
const keepAlive = setInterval(() => {}, 60_000);
process.once('SIGINT', () => {
  clearInterval(keepAlive);
  store.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
logger.info({ city, from, to }, 'store open');
