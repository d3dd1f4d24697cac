import { HttpError } from '@influxdata/influxdb-client';
import { DEFAULT_CITIES } from '../../domain/cities.ts';
import { UcapError } from '../../domain/errors.ts';
import { type Logger, silentLogger } from '../../platform/logger.ts';
import { cityMeanOf } from '../city-mean.ts';
import { withoutRepeatedKeys } from '../last-per-key.ts';
import { type RetentionPasses, scheduleRetention } from '../raw-retention.ts';
import { cityZones } from '../rollup-days.ts';
import type { SeriesQuery, TimeSeriesStore } from '../time-series-store.ts';
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
import { applyRawRetention, loadRetentionState } from './influx-retention.ts';
import { createInfluxRollups, type InfluxRollups, noRollups } from './influx-rollups.ts';
import { createRejectionLines, readingLine } from './influx-schema.ts';
import { spacingQuery, toDeviceSpacing } from './influx-statistics.ts';
import { createDatabaseQuery, latestQuery, rejectionsQuery, sensorsQuery, seriesQuery } from './influxql.ts';

export type { InfluxStoreOptions, InfluxV1Options, InfluxV2Options } from './influx-options.ts';

/** InfluxDB's own advice for write batches; larger batches are split into requests of this size. */
export const MAX_LINES_PER_REQUEST = 5000;

type ContextOf = (code: StoreErrorCode, action: string) => FailureContext;

/**
 * Rows per chunk of a streamed read (a page of an export). The chunk's JSON text (~57 bytes a row)
 * stays under V8's large-object size (128 KiB), so it dies young instead of filling the old
 * generation between full collections: exporting 10M readings peaked at 194–195 MiB with 2,000
 * rows, 213–217 MiB with 10,000, at the same ~400k rows/s; influxd's work is one query either way.
 */
const READINGS_CHUNK_ROWS = 2_000;

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
  // v2 mode series read the raw readings, and raw readings are kept (the bucket's retention applies).
  const { rollups, retention } =
    options.api === 'v1' ? await openRollups(http, options, logger, target) : noMaintenance();
  const gate = new CallGate(() => new UcapError('STORE_UNAVAILABLE', `the store at ${target} is closed`));
  const rejectionLine = createRejectionLines();
  const write = (action: string, lines: () => string[], precision: WritePrecision) =>
    gate.run(() => guard('STORE_WRITE_FAILED', action, () => writeInChunks(http, lines(), precision)));
  const read = <T>(action: string, operation: () => Promise<T>) =>
    gate.run(() => guard('STORE_QUERY_FAILED', action, operation));
  const readSeries = async (query: SeriesQuery) =>
    (await rollups.series(query)) ??
    toDeviceSeries(await http.query(seriesQuery(query), { signal: query.signal }), query.withCount === true);
  let closing: Promise<void> | undefined;
  logger.info({ store: 'influxdb', target }, 'store opened');
  // The index series need InfluxQL DELETE, which only 1.x runs (see influx-aqi-sink.ts).
  const index = options.api === 'v1' ? influxIndexSeries(http) : undefined;

  return {
    kind: 'influxdb',
    writeReadings: (readings) =>
      gate.run(() =>
        guard('STORE_WRITE_FAILED', 'writing readings', async () => {
          // Split across parallel requests, a repeated key could land in two of them in either order.
          const lines =
            readings.length > MAX_LINES_PER_REQUEST
              ? withoutRepeatedKeys(readings).map(readingLine)
              : readings.map(readingLine);
          await writeInChunks(http, lines, 'ms', WRITE_REQUESTS_IN_FLIGHT);
          rollups.touched(readings);
        }),
      ),
    writeRejections: (rejections) => write('writing rejections', () => rejections.map(rejectionLine), 'ns'),
    latest: (query) =>
      read('reading latest values', async () =>
        toLatestValues(await http.query(latestQuery(query), { signal: query.signal }), query.city),
      ),
    series: (query) => read('reading a series', () => readSeries(query)),
    cityMeanSeries: (query) =>
      read(
        'reading a city mean series',
        async () => (await rollups.cityMean(query)) ?? cityMeanOf(await readSeries(query)),
      ),
    readingSpacing: (query) =>
      read('reading the spacing of readings', async () =>
        toDeviceSpacing(await http.query(spacingQuery(query), { signal: query.signal })),
      ),
    sensors: (query) => read('listing sensors', async () => toSensors(await http.query(sensorsQuery(query)))),
    readings: (query) =>
      read('reading raw readings', async () => {
        const influxql = readingsQuery(query);
        if (influxql === undefined || query.limit < 1) return [];
        return toReadings(await http.query(influxql, { signal: query.signal }), query.city);
      }),
    streamReadings: (query) => {
      const influxql = readingsQuery(query);
      if (influxql === undefined || query.limit < 1) return { next: async () => [], close: () => {} };
      const chunks = http.queryChunks(influxql, READINGS_CHUNK_ROWS);
      return {
        next: (signal) =>
          read('reading raw readings', async () => {
            // A chunk may hold no row of a known metric: the next page is the next non-empty chunk.
            for (;;) {
              const chunk = await chunks.next(signal);
              if (chunk === undefined) return [];
              const page = toReadings(chunk, query.city);
              if (page.length > 0) return page;
            }
          }),
        close: () => chunks.close(),
      };
    },
    rejections: (query) =>
      read('reading rejections', async () =>
        query.limit < 1
          ? []
          : toRejections(await http.query(rejectionsQuery(query), { signal: query.signal })),
      ),
    ping: () => gate.run(() => guard('STORE_UNAVAILABLE', 'answering ping', () => http.ping())),
    rollUp: () =>
      gate.run(() =>
        guard('STORE_WRITE_FAILED', 'rolling up hours', async () => {
          await rollups.flush();
          await retention.runNow();
        }),
      ),
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
        retention.stop();
        await rollups.close();
        http.close();
        logger.info({ store: 'influxdb', target }, 'store closed');
      });
      return closing;
    },
  };
}

interface Maintenance {
  readonly rollups: InfluxRollups;
  readonly retention: RetentionPasses;
}

function noMaintenance(): Maintenance {
  return { rollups: noRollups(), retention: { runNow: async () => {}, stop: () => {} } };
}

/** Hourly and daily rollups, and the raw retention that relies on them (InfluxDB 1.x only). */
async function openRollups(
  http: InfluxHttp,
  options: InfluxV1Options,
  logger: Logger,
  target: string,
): Promise<Maintenance> {
  const warn = (message: string) => (error: unknown) =>
    logger.warn({ store: 'influxdb', target, err: error }, message);
  const state = await loadRetentionState(http).catch((error: unknown) => {
    warn('raw retention state not read: raw readings are not deleted')(error);
    return undefined;
  });
  const zoneOf = options.dayZoneOf ?? cityZones(DEFAULT_CITIES);
  const context = { zoneOf, retention: state ?? { deletedBefore: Number.NEGATIVE_INFINITY } };
  const rollups = createInfluxRollups(http, context, warn('rollups not refreshed; trying again'));
  let complete = true;
  await rollups.backfill().catch((error: unknown) => {
    complete = false;
    warn('hourly rollups not computed: series read raw readings')(error);
  });
  // Without rollups (or without knowing how far raw readings went), deleting them would lose data.
  const retention = scheduleRetention(
    (horizon) => rollups.exclusive(() => applyRawRetention(http, horizon, context.retention, zoneOf)),
    {
      rawRetentionDays: complete && state !== undefined ? (options.rawRetentionDays ?? 0) : 0,
      onError: warn('raw retention not applied; trying again'),
    },
  );
  return { rollups, retention };
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

/**
 * Requests of one large batch sent at once: influxd parses and indexes them on several cores, and
 * the next is on its way while one is answered. Only for
 * batches without repeated keys, whose requests may land in any order.
 */
const WRITE_REQUESTS_IN_FLIGHT = 3;

async function writeInChunks(
  http: InfluxHttp,
  lines: string[],
  precision: WritePrecision,
  inFlight = 1,
): Promise<void> {
  let next = 0;
  let failed = false;
  const sender = async () => {
    while (!failed && next < lines.length) {
      const start = next;
      next += MAX_LINES_PER_REQUEST;
      try {
        await http.write(lines.slice(start, start + MAX_LINES_PER_REQUEST), precision);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, sender));
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
