import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { DEFAULT_CITIES } from '../../domain/cities.ts';
import type { ErrorCode } from '../../domain/errors.ts';
import { type Logger, silentLogger } from '../../platform/logger.ts';
import { type RetentionOptions, scheduleRetention } from '../raw-retention.ts';
import { cityZones, type DayZoneOf } from '../rollup-days.ts';
import { RollupScheduler } from '../rollup-scheduler.ts';
import type { TimeSeriesStore } from '../time-series-store.ts';
import { BULK_WRITE_MIN, insertReadingsBulk } from './duckdb-bulk-writes.ts';
import { closedError, storeError } from './duckdb-errors.ts';
import { createIndexSeriesTables, replaceIndexRows, selectIndexSeries } from './duckdb-index-series.ts';
import { openDatabase } from './duckdb-open.ts';
import { selectLatest, selectReadings, selectRejections, selectSensors } from './duckdb-queries.ts';
import { applyRawRetention } from './duckdb-retention.ts';
import {
  createRollups,
  type RollupContext,
  refreshRollups,
  selectCityMeanFromRollups,
  selectSeriesFromRollups,
} from './duckdb-rollups.ts';
import { selectReadingSpacing } from './duckdb-statistics.ts';
import { insertReadings, insertRejections } from './duckdb-writes.ts';
import { OperationGate } from './operation-gate.ts';
import { SeriesWatermarks } from './series-watermarks.ts';

export interface DuckDbStoreOptions {
  /** A file path (its folder is created if missing) or ':memory:'. */
  readonly path: string;
  /** DuckDB's buffer pool size, e.g. '256MB' (DuckDB's default: 80 % of RAM). */
  readonly memoryLimit?: string;
  readonly logger?: Logger;
  /** The zone of each city's local days, for daily rollups (default: the built-in cities). */
  readonly dayZoneOf?: DayZoneOf;
  /** Raw readings older than this many days are deleted once rolled up (0 or absent: kept). */
  readonly rawRetentionDays?: number;
  /** For tests: the retention's clock. */
  readonly now?: RetentionOptions['now'];
}

/**
 * The embedded time-series store: one DuckDB file, used by one process. Writes go through a
 * single connection one at a time; each read gets its own short-lived connection, so reads run
 * in parallel with each other and with writes.
 */
export async function createDuckDbStore(options: DuckDbStoreOptions): Promise<TimeSeriesStore> {
  const logger = options.logger ?? silentLogger();
  const db = await openDatabase(options.path, options.memoryLimit);
  const zoneOf = options.dayZoneOf ?? cityZones(DEFAULT_CITIES);
  const retention = await guard('STORE_UNAVAILABLE', `preparing rollups in ${db.location}`, () =>
    createRollups(db.writer, zoneOf),
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
  const context: RollupContext = { zoneOf, retention };
  const rollups = new RollupScheduler({
    refresh: (keys) => write('rolling up hours', (w) => refreshRollups(w, keys, context)),
    onError: (error) =>
      logger.warn({ store: 'duckdb', err: error }, 'hourly rollups not refreshed; trying again'),
  });
  const retentionPasses = scheduleRetention(
    (horizon) =>
      write('deleting raw readings past their retention', (w) =>
        applyRawRetention(w, horizon, retention, zoneOf),
      ),
    {
      ...(options.rawRetentionDays === undefined ? {} : { rawRetentionDays: options.rawRetentionDays }),
      ...(options.now === undefined ? {} : { now: options.now }),
      onError: (error) =>
        logger.warn({ store: 'duckdb', err: error }, 'raw retention not applied; trying again'),
    },
  );

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
    retentionPasses.stop();
    await rollups.close();
    await gate.close();
    await guard('STORE_UNAVAILABLE', `closing ${db.location}`, () => db.close());
    logger.info({ store: 'duckdb', path: db.location }, 'store closed');
  };

  return {
    kind: 'duckdb',
    writeReadings: (readings) =>
      readings.length === 0
        ? gate.probe(async () => {})
        : write('writing readings', async (w) => {
            if (readings.length >= BULK_WRITE_MIN) await insertReadingsBulk(w, readings, watermarks);
            else await insertReadings(w, readings, watermarks);
            rollups.touched(readings);
          }),
    writeRejections: (rejections) =>
      rejections.length === 0
        ? gate.probe(async () => {})
        : write('writing rejections', (w) => insertRejections(w, rejections)),
    latest: (query) => read('reading latest values', (c) => selectLatest(c, query), query.signal),
    rollUp: async () => {
      await rollups.flush(true);
      await retentionPasses.runNow();
    },
    indexSeries: {
      replace: (range, rows) => write('writing index series', (w) => replaceIndexRows(w, range, rows)),
      read: (query) => read('reading index series', (c) => selectIndexSeries(c, query), query.signal),
    },
    series: (query) =>
      read(
        'reading a series',
        (c) => selectSeriesFromRollups(c, query, rollups.staleFrom(), zoneOf),
        query.signal,
      ),
    cityMeanSeries: (query) =>
      read(
        'reading a city mean series',
        (c) => selectCityMeanFromRollups(c, query, rollups.staleFrom(), zoneOf),
        query.signal,
      ),
    readingSpacing: (query) =>
      read('reading the spacing of readings', (c) => selectReadingSpacing(c, query), query.signal),
    sensors: (query) => read('listing sensors', (c) => selectSensors(c, query)),
    readings: (query) => read('reading raw readings', (c) => selectReadings(c, query), query.signal),
    rejections: (query) => read('reading rejections', (c) => selectRejections(c, query), query.signal),
    ping: () =>
      gate
        .probe(() =>
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
