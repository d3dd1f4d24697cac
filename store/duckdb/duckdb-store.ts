import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ErrorCode } from '../../domain/errors.ts';
import { type Logger, silentLogger } from '../../platform/logger.ts';
import { RollupScheduler } from '../rollup-scheduler.ts';
import type { TimeSeriesStore } from '../time-series-store.ts';
import { closedError, storeError } from './duckdb-errors.ts';
import { createIndexSeriesTables, replaceIndexRows, selectIndexSeries } from './duckdb-index-series.ts';
import { openDatabase } from './duckdb-open.ts';
import { selectLatest, selectReadings, selectRejections, selectSensors } from './duckdb-queries.ts';
import { createRollups, refreshRollups, selectSeriesFromRollups } from './duckdb-rollups.ts';
import { insertReadings, insertRejections } from './duckdb-writes.ts';
import { OperationGate } from './operation-gate.ts';
import { SeriesWatermarks } from './series-watermarks.ts';

export interface DuckDbStoreOptions {
  /** A file path (its folder is created if missing) or ':memory:'. */
  readonly path: string;
  /** DuckDB's buffer pool size, e.g. '256MB' (DuckDB's default: 80 % of RAM). */
  readonly memoryLimit?: string;
  readonly logger?: Logger;
}

/**
 * The embedded time-series store: one DuckDB file, used by one process. Writes go through a
 * single connection one at a time; each read gets its own short-lived connection, so reads run
 * in parallel with each other and with writes.
 */
export async function createDuckDbStore(options: DuckDbStoreOptions): Promise<TimeSeriesStore> {
  const logger = options.logger ?? silentLogger();
  const db = await openDatabase(options.path, options.memoryLimit);
  await guard('STORE_UNAVAILABLE', `preparing rollups in ${db.location}`, () =>
    createRollups(db.writer),
  ).catch(async (error: unknown) => {
    await db.close();
    throw error;
  });
  await guard('STORE_UNAVAILABLE', `preparing index series in ${db.location}`, () =>
    createIndexSeriesTables(db.writer),
  ).catch(async (error: unknown) => {
    await db.close();
    throw error;
  });
  const watermarks = await guard('STORE_UNAVAILABLE', `reading ${db.location}`, () =>
    SeriesWatermarks.load(db.writer),
  ).catch(async (error: unknown) => {
    await db.close();
    throw error;
  });
  const gate = new OperationGate(() => closedError(db.location));
  logger.info({ store: 'duckdb', path: db.location }, 'store opened');
  const rollups = new RollupScheduler({
    refresh: (keys) => write('rolling up hours', (w) => refreshRollups(w, keys)),
    onError: (error) =>
      logger.warn({ store: 'duckdb', err: error }, 'hourly rollups not refreshed; trying again'),
  });

  const write = (action: string, operation: (writer: DuckDBConnection) => Promise<void>) =>
    gate.write(() => guard('STORE_WRITE_FAILED', action, () => operation(db.writer)));
  const read = <T>(
    action: string,
    operation: (connection: DuckDBConnection) => Promise<T>,
    signal?: AbortSignal,
  ) =>
    gate.read(() =>
      guard('STORE_QUERY_FAILED', action, () => withConnection(db.instance, operation, signal)),
    );

  let closing: Promise<void> | undefined;
  const closeOnce = async () => {
    await rollups.close();
    await gate.close();
    await guard('STORE_UNAVAILABLE', `closing ${db.location}`, () => db.close());
    logger.info({ store: 'duckdb', path: db.location }, 'store closed');
  };

  return {
    kind: 'duckdb',
    writeReadings: (readings) =>
      readings.length === 0
        ? gate.read(async () => {})
        : write('writing readings', async (w) => {
            await insertReadings(w, readings, watermarks);
            rollups.touched(readings);
          }),
    writeRejections: (rejections) =>
      rejections.length === 0
        ? gate.read(async () => {})
        : write('writing rejections', (w) => insertRejections(w, rejections)),
    latest: (query) => read('reading latest values', (c) => selectLatest(c, query), query.signal),
    rollUp: () => rollups.flush(true),
    indexSeries: {
      replace: (range, rows) => write('writing index series', (w) => replaceIndexRows(w, range, rows)),
      read: (query) => read('reading index series', (c) => selectIndexSeries(c, query), query.signal),
    },
    series: (query) =>
      read('reading a series', (c) => selectSeriesFromRollups(c, query, rollups.staleFrom()), query.signal),
    sensors: (query) => read('listing sensors', (c) => selectSensors(c, query)),
    readings: (query) => read('reading raw readings', (c) => selectReadings(c, query), query.signal),
    rejections: (query) => read('reading rejections', (c) => selectRejections(c, query), query.signal),
    ping: () =>
      gate
        .read(() =>
          guard('STORE_UNAVAILABLE', 'ping', () => withConnection(db.instance, (c) => c.run('SELECT 1'))),
        )
        .then(() => undefined),
    close: () => {
      closing ??= closeOnce();
      return closing;
    },
  };
}

async function guard<T>(code: ErrorCode, action: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw storeError(code, action, error);
  }
}

async function withConnection<T>(
  instance: DuckDBInstance,
  operation: (connection: DuckDBConnection) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  signal?.throwIfAborted();
  const connection = await instance.connect();
  // A cancelled caller (request deadline, client gone) interrupts the running query.
  const interrupt = () => connection.interrupt();
  signal?.addEventListener('abort', interrupt, { once: true });
  try {
    return await operation(connection);
  } finally {
    signal?.removeEventListener('abort', interrupt);
    connection.disconnectSync();
  }
}
