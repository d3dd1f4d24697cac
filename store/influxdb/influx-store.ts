import { HttpError } from '@influxdata/influxdb-client';
import { UcapError } from '../../domain/errors.ts';
import { type Logger, silentLogger } from '../../platform/logger.ts';
import type { TimeSeriesStore } from '../time-series-store.ts';
import { CallGate } from './call-gate.ts';
import { influxIndexSeries } from './influx-aqi-sink.ts';
import { type FailureContext, type StoreErrorCode, storeFailure } from './influx-errors.ts';
import { createInfluxHttp, type InfluxHttp, type WritePrecision } from './influx-http.ts';
import {
  credentialsHint,
  DEFAULT_INFLUX_TIMEOUT_MS,
  describeInfluxTarget,
  destinationHint,
  type InfluxStoreOptions,
  type InfluxV1Options,
} from './influx-options.ts';
import { readingsQuery, toReadings } from './influx-readings.ts';
import { toDeviceSeries, toLatestValues, toRejections, toSensors } from './influx-results.ts';
import { createInfluxRollups, noRollups } from './influx-rollups.ts';
import { createRejectionLines, readingLine } from './influx-schema.ts';
import { createDatabaseQuery, latestQuery, rejectionsQuery, sensorsQuery, seriesQuery } from './influxql.ts';

export type { InfluxStoreOptions, InfluxV1Options, InfluxV2Options } from './influx-options.ts';

/** InfluxDB's own advice for write batches; larger batches are split into requests of this size. */
export const MAX_LINES_PER_REQUEST = 5000;

type ContextOf = (code: StoreErrorCode, action: string) => FailureContext;

/**
 * The InfluxDB adapter of the time-series store (schema: influx-schema.ts). Writes line protocol to
 * the v1 (`/write`) or v2 (`/api/v2/write`) endpoint; reads with InfluxQL over `/query`, which
 * 1.x serves natively and 2.x/3.x for compatibility. In v1 mode the database is created on open.
 * Failures are UcapErrors that decide their own retry; the adapter itself never retries.
 */
export async function createInfluxStore(options: InfluxStoreOptions): Promise<TimeSeriesStore> {
  const logger = options.logger ?? silentLogger();
  const target = describeInfluxTarget(options);
  const http = createInfluxHttp(options);
  const contextOf = failureContexts(options, target);
  const guard = async <T>(code: StoreErrorCode, action: string, operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      throw storeFailure(error, contextOf(code, action));
    }
  };
  if (options.api === 'v1') {
    try {
      await ensureDatabase(http, options, contextOf, logger);
    } catch (error) {
      http.close();
      throw error;
    }
  }
  // Rollups are computed with SELECT … INTO, which InfluxDB 2.x/3.x's InfluxQL does not run: in
  // v2 mode series read the raw readings.
  const rollups =
    options.api === 'v1'
      ? createInfluxRollups(http, (error) =>
          logger.warn(
            { store: 'influxdb', target, err: error },
            'hourly rollups not refreshed; trying again',
          ),
        )
      : noRollups();
  await rollups
    .backfill()
    .catch((error: unknown) =>
      logger.warn(
        { store: 'influxdb', target, err: error },
        'hourly rollups not computed: series read raw readings',
      ),
    );
  const gate = new CallGate(() => new UcapError('STORE_UNAVAILABLE', `the store at ${target} is closed`));
  const rejectionLine = createRejectionLines();
  const write = (action: string, lines: () => string[], precision: WritePrecision) =>
    gate.run(() => guard('STORE_WRITE_FAILED', action, () => writeInChunks(http, lines(), precision)));
  const read = <T>(action: string, operation: () => Promise<T>) =>
    gate.run(() => guard('STORE_QUERY_FAILED', action, operation));
  let closing: Promise<void> | undefined;
  logger.info({ store: 'influxdb', target }, 'store opened');
  // The index series need InfluxQL DELETE, which only 1.x runs (see influx-aqi-sink.ts).
  const index = options.api === 'v1' ? influxIndexSeries(http) : undefined;

  return {
    kind: 'influxdb',
    writeReadings: (readings) =>
      gate.run(() =>
        guard('STORE_WRITE_FAILED', 'writing readings', async () => {
          await writeInChunks(http, readings.map(readingLine), 'ms');
          rollups.touched(readings);
        }),
      ),
    writeRejections: (rejections) => write('writing rejections', () => rejections.map(rejectionLine), 'ns'),
    latest: (query) =>
      read('reading latest values', async () =>
        toLatestValues(await http.query(latestQuery(query), { signal: query.signal }), query.city),
      ),
    series: (query) =>
      read(
        'reading a series',
        async () =>
          (await rollups.series(query)) ??
          toDeviceSeries(await http.query(seriesQuery(query), { signal: query.signal })),
      ),
    sensors: (query) => read('listing sensors', async () => toSensors(await http.query(sensorsQuery(query)))),
    readings: (query) =>
      read('reading raw readings', async () => {
        const influxql = readingsQuery(query);
        if (influxql === undefined || query.limit < 1) return [];
        return toReadings(await http.query(influxql, { signal: query.signal }), query.city);
      }),
    rejections: (query) =>
      read('reading rejections', async () =>
        query.limit < 1
          ? []
          : toRejections(await http.query(rejectionsQuery(query), { signal: query.signal })),
      ),
    ping: () => gate.run(() => guard('STORE_UNAVAILABLE', 'answering ping', () => http.ping())),
    rollUp: () => gate.run(() => guard('STORE_WRITE_FAILED', 'rolling up hours', () => rollups.flush())),
    ...(index && {
      indexSeries: {
        replace: (range, rows) =>
          gate.run(() =>
            guard('STORE_WRITE_FAILED', 'writing index series', () => index.replace(range, rows)),
          ),
        read: (query) => read('reading index series', () => index.read(query)),
      },
    }),
    close: () => {
      closing ??= gate.close().then(async () => {
        await rollups.close();
        http.close();
        logger.info({ store: 'influxdb', target }, 'store closed');
      });
      return closing;
    },
  };
}

function failureContexts(options: InfluxStoreOptions, target: string): ContextOf {
  return (code, action) => ({
    code,
    action,
    target,
    credentialsHint: credentialsHint(options),
    destinationHint: destinationHint(options),
    timeoutMs: options.timeoutMs ?? DEFAULT_INFLUX_TIMEOUT_MS,
  });
}

async function writeInChunks(http: InfluxHttp, lines: string[], precision: WritePrecision): Promise<void> {
  for (let i = 0; i < lines.length; i += MAX_LINES_PER_REQUEST) {
    await http.write(lines.slice(i, i + MAX_LINES_PER_REQUEST), precision);
  }
}

/**
 * CREATE DATABASE is a no-op when the database exists. A user without the admin privilege may not
 * run it (403): that is normal for a least-privilege deployment, so it is logged and the database
 * is assumed to exist; a first write will say so if it does not. Refused credentials (401) stop
 * the start-up: nothing would work with them.
 */
async function ensureDatabase(
  http: InfluxHttp,
  options: InfluxV1Options,
  contextOf: ContextOf,
  logger: Logger,
): Promise<void> {
  try {
    await http.query(createDatabaseQuery(options.database), { database: false });
  } catch (error) {
    if (error instanceof HttpError && error.statusCode === 403) {
      logger.warn(
        { store: 'influxdb', database: options.database, reason: error.message },
        'not allowed to create the database (needs the admin privilege): assuming it exists',
      );
      return;
    }
    throw storeFailure(error, contextOf('STORE_UNAVAILABLE', `creating database "${options.database}"`));
  }
}
