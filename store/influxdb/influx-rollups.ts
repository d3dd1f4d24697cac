import type { Reading } from '../../domain/reading.ts';
import { cityMeanOf, joinCityMeans } from '../city-mean.ts';
import { type DayZoneOf, planSeriesRead, type Range } from '../rollup-days.ts';
import { combine, finishAggregate, HOUR_MS, type HourKey, type Partial } from '../rollup-plan.ts';
import { RollupScheduler } from '../rollup-scheduler.ts';
import {
  type CityMeanSeries,
  type DeviceSeries,
  isPercentile,
  type RollupAggregate,
  type SeriesPoint,
  type SeriesQuery,
} from '../time-series-store.ts';
import {
  READINGS_1H_CITY,
  readCityHours,
  recomputeCityHours,
  recomputeFromHours,
} from './influx-city-hours.ts';
import { dayBlocksComplete, readDayBlocks, recomputeDayBlocks } from './influx-day-blocks.ts';
import { computeInto, type PartialSource, refreshHours, selectList } from './influx-hour-rollups.ts';
import type { InfluxHttp } from './influx-http.ts';
import {
  type DevicePart,
  devicePartsOf,
  eachPartial,
  type PartialField,
  type PartialRows,
} from './influx-partials.ts';
import { foldOldReadings, type RetentionState } from './influx-retention.ts';
import {
  type CityHour,
  READINGS_1D,
  READINGS_1H,
  recomputeDaysOfRange,
  rolledUpHoursOf,
} from './influx-rollup-days.ts';
import { quoteIdent, READINGS, VALUE_FIELD } from './influx-schema.ts';
import { groupByBucket, tagEquals, timeRange, where } from './influxql.ts';

/**
 * Hourly rollups in InfluxDB (rollup-plan.ts), and daily ones summed from them (influx-rollup-days.ts):
 *
 *   readings_1h  tags   city, device, metric (as readings)
 *                fields n (integer: count), total, low, high (floats: sum, min, max of the hour's readings)
 *                time   start of the UTC hour
 *
 * Once an hour has settled (rollup-scheduler.ts), the groups writes touched in it are recomputed
 * from the raw readings with one InfluxQL aggregate per run of consecutive hours, and written back
 * (a point per hour replaces the last); a late reading makes its hour due again. Series every 1h
 * read the same hours packed a UTC day per point (influx-day-blocks.ts), rewritten with them.
 * Refreshes run one at a time in this process, so an older view is never written last; a second
 * process writing the same hours at the same moment could (imports run while ingest is quiet for
 * that device).
 */

export interface InfluxRollups {
  /**
   * Computes the rollups of a database written before they existed (once: they are then kept).
   * Until it has succeeded, series are read from raw readings.
   */
  backfill(): Promise<void>;
  /** Notes the groups a durable write touched; they are rolled up once their hour has settled. */
  touched(readings: readonly Reading[]): void;
  /** Rolls up everything touched so far. */
  flush(): Promise<void>;
  /** Runs `work` between refreshes, never alongside one (the raw retention). */
  exclusive(work: () => Promise<void>): Promise<void>;
  /** Stops the periodic refresh after rolling up everything touched so far. */
  close(): Promise<void>;
  /** The series from rollups, or undefined when the query must read raw readings. */
  series(query: SeriesQuery): Promise<DeviceSeries[] | undefined>;
  /**
   * A city's hourly means from its city hours (and raw readings for unsettled hours); undefined
   * for any other query (the caller averages the devices' series).
   */
  cityMean(query: SeriesQuery): Promise<CityMeanSeries | undefined>;
}

/** For servers that cannot keep rollups: every series reads the raw readings. */
export function noRollups(): InfluxRollups {
  return {
    backfill: async () => {},
    touched: () => {},
    flush: async () => {},
    exclusive: (work) => work(),
    close: async () => {},
    series: async () => undefined,
    cityMean: async () => undefined,
  };
}

export interface InfluxRollupContext {
  readonly zoneOf: DayZoneOf;
  readonly retention: RetentionState;
}

export function createInfluxRollups(
  http: InfluxHttp,
  context: InfluxRollupContext,
  onError: (error: unknown) => void,
): InfluxRollups {
  let complete = false;
  const scheduler = new RollupScheduler({ refresh: (keys) => refresh(http, keys, context), onError });
  return {
    async backfill() {
      await backfill(http, context);
      complete = true;
    },
    touched: (readings) => scheduler.touched(readings),
    flush: () => scheduler.flush(true),
    exclusive: (work) => scheduler.exclusive(work),
    close: () => scheduler.close(),
    async series(query) {
      const plan = complete ? planSeriesRead(query, scheduler.staleFrom(), context.zoneOf) : undefined;
      if (plan === undefined || isPercentile(query.agg)) return undefined;
      const { parts, merge } = partialsReader(http, query, query.agg);
      // Hourly buckets read the hours of day blocks (influx-day-blocks.ts: ~24× fewer rows for
      // influxd to answer); wider buckets are summed by InfluxDB from readings_1h.
      const hourly =
        query.everyMs === HOUR_MS
          ? plan.hourly.map((range) => readDayBlocks(http, query, range))
          : parts(READINGS_1H, 'rollup', plan.hourly);
      const results = await Promise.all([
        ...parts(READINGS_1D, 'rollup', plan.daily),
        ...hourly,
        ...parts(READINGS, 'raw', plan.raw),
      ]);
      return merge(results);
    },
    async cityMean(query) {
      // One device's mean is its own series: the caller reads it.
      if (query.deviceId !== undefined || query.everyMs !== HOUR_MS || query.agg !== 'mean') return undefined;
      const plan = complete ? planSeriesRead(query, scheduler.staleFrom(), context.zoneOf) : undefined;
      if (plan === undefined || plan.daily.length > 0) return undefined;
      const { parts, merge } = partialsReader(http, query, query.agg);
      const [settled, raw] = await Promise.all([
        readCityHours(http, query, plan.hourly),
        Promise.all(parts(READINGS, 'raw', plan.raw)),
      ]);
      // Unsettled hours are few: their device series are averaged here, as cityMeanOf() does.
      return joinCityMeans([settled, cityMeanOf(merge(raw))]);
    },
  };
}

/**
 * The fields a series reads for each aggregate: `n` always (it is the count, and a row without
 * readings is skipped by it), and the one the aggregate is made of. InfluxDB 1.6 spends its time
 * per field and row read: a city month of hourly rows cost ~430 ms of influxd CPU with all four
 * fields, ~290 ms with n and total.
 */
const PARTIALS_READ: Readonly<Record<RollupAggregate, readonly PartialField[]>> = {
  mean: ['n', 'total'],
  min: ['n', 'low'],
  max: ['n', 'high'],
  count: ['n'],
};

function partialsQuery(
  measurement: string,
  source: PartialSource,
  fields: readonly PartialField[],
  query: SeriesQuery,
  range: { from: number; to: number },
): string {
  const filter = where([
    tagEquals('city', query.city),
    tagEquals('metric', query.metric),
    tagEquals('device', query.deviceId),
    ...timeRange(range.from, range.to),
  ]);
  return `SELECT ${selectList(fields, source)} FROM ${quoteIdent(measurement)}${filter}${groupByBucket(query)}`;
}

/**
 * Reads the partials of `agg` for `query` (one query per range of a measurement, answered in
 * MessagePack) and merges the parts' answers into device series.
 */
function partialsReader(http: InfluxHttp, query: SeriesQuery, agg: RollupAggregate) {
  const fields = PARTIALS_READ[agg];
  const options = { signal: query.signal, format: 'msgpack' as const };
  return {
    parts: (measurement: string, source: PartialSource, ranges: readonly Range[]) =>
      ranges.map(async (range) =>
        devicePartsOf(
          await http.query(partialsQuery(measurement, source, fields, query, range), options),
          (series) => (visit) => eachPartial(series, fields, visit),
        ),
      ),
    merge: (results: readonly (readonly DevicePart[])[]) =>
      mergeSeries(results, agg, query.withCount === true),
  };
}

/**
 * One series per device from the parts' answers, by time. A device answered by one part (a city
 * month every 1h: its day blocks) gets its points straight from the rows. Parts
 * cover separate time ranges, but with buckets wider than an hour two of them can hold the same
 * bucket (a day from its hourly rollups and its raw last hours): those are combined.
 */
function mergeSeries(
  results: readonly (readonly DevicePart[])[],
  agg: RollupAggregate,
  withCount: boolean,
): DeviceSeries[] {
  const byDevice = new Map<string, PartialRows[]>();
  for (const result of results) {
    for (const { deviceId, rows } of result) {
      const known = byDevice.get(deviceId);
      if (known === undefined) byDevice.set(deviceId, [rows]);
      else known.push(rows);
    }
  }
  const point = (ts: number, partial: Partial): SeriesPoint => {
    const value = finishAggregate(partial, agg);
    return withCount ? { ts, value, count: partial.n } : { ts, value };
  };
  const merged: DeviceSeries[] = [];
  for (const [deviceId, parts] of byDevice) {
    const points =
      (parts.length === 1 ? inOrder(parts[0] as PartialRows, point) : undefined) ?? combined(parts, point);
    if (points.length > 0) merged.push({ deviceId, points });
  }
  return merged.sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
}

type ToPoint = (ts: number, partial: Partial) => SeriesPoint;

/** The points of one series whose buckets come in time order, once each; undefined otherwise. */
function inOrder(rows: PartialRows, point: ToPoint) {
  const points: SeriesPoint[] = [];
  let last = Number.NEGATIVE_INFINITY;
  let ordered = true;
  rows((ts, partial) => {
    if (ts <= last) ordered = false;
    last = ts;
    points.push(point(ts, partial));
  });
  return ordered ? points : undefined;
}

/** The points of several series (or one out of order), buckets of the same start combined. */
function combined(parts: readonly PartialRows[], point: ToPoint) {
  const buckets: { ts: number; partial: Partial }[] = [];
  for (const rows of parts) rows((ts, partial) => buckets.push({ ts, partial: { ...partial } }));
  // Stable: buckets of one start are combined in the order of the parts.
  buckets.sort((a, b) => a.ts - b.ts);
  const points: SeriesPoint[] = [];
  let current: { ts: number; partial: Partial } | undefined;
  for (const bucket of buckets) {
    if (current?.ts === bucket.ts) {
      current.partial = combine(current.partial, bucket.partial);
      continue;
    }
    if (current !== undefined) points.push(point(current.ts, current.partial));
    current = bucket;
  }
  if (current !== undefined) points.push(point(current.ts, current.partial));
  return points;
}

/**
 * Recomputes these hours from the raw readings, then their days; hours whose raw readings the
 * retention deleted get the readings written there since added instead (influx-retention.ts).
 */
async function refresh(
  http: InfluxHttp,
  keys: readonly HourKey[],
  context: InfluxRollupContext,
): Promise<void> {
  const { deletedBefore } = context.retention;
  const recent = keys.filter((k) => k.hour >= deletedBefore);
  await refreshHours(http, recent);
  await recomputeFromHours(http, recent, context.zoneOf);
  if (recent.length < keys.length) await foldOldReadings(http, deletedBefore, context.zoneOf);
}

const v = quoteIdent(VALUE_FIELD);

/** Rollups are computed in windows of this length, so no single statement holds many buckets. */
const BACKFILL_WINDOW_MS = 30 * 24 * HOUR_MS;

/**
 * A process stopped between a write and its rollup refresh leaves those hours behind: recent
 * hours (where writes happen) are recomputed at every open.
 */
const RECOMPUTED_ON_OPEN_MS = 24 * HOUR_MS;

async function backfill(http: InfluxHttp, context: InfluxRollupContext): Promise<void> {
  const { zoneOf } = context;
  const done = await http.query(`SELECT count("n") FROM ${quoteIdent(READINGS_1H)}`);
  if (done.series.length > 0) {
    const days = await http.query(`SELECT count("n") FROM ${quoteIdent(READINGS_1D)}`);
    if (days.series.length === 0) await recomputeDaysOfRange(http, undefined, undefined, zoneOf);
    // Databases whose rollups predate city hours or day blocks get them all, once.
    let everyHour: Promise<CityHour[]> | undefined;
    const rolledUp = () => (everyHour ??= rolledUpHoursOf(http, undefined, undefined));
    const cityHours = await http.query(`SELECT "devices" FROM ${quoteIdent(READINGS_1H_CITY)} LIMIT 1`);
    if (cityHours.series.length === 0) await recomputeCityHours(http, await rolledUp());
    if (!(await dayBlocksComplete(http))) await recomputeDayBlocks(http, await rolledUp());
    const last = await http.query(`SELECT last(${v}) FROM ${quoteIdent(READINGS)}`);
    const end = last.series[0]?.values[0]?.[0];
    if (typeof end !== 'number') return;
    const from = Math.floor((end - RECOMPUTED_ON_OPEN_MS) / HOUR_MS) * HOUR_MS;
    // Hours whose raw readings the retention deleted are never recomputed from what is left.
    if (end < context.retention.deletedBefore) return;
    await computeInto(http, Math.max(from, context.retention.deletedBefore), end + HOUR_MS);
    await recomputeFromHours(http, await rolledUpHoursOf(http, from, end + HOUR_MS), zoneOf);
    return;
  }
  const bounds = await http.query(`SELECT first(${v}) FROM ${quoteIdent(READINGS)}`);
  const first = bounds.series[0]?.values[0]?.[0];
  if (typeof first !== 'number') return;
  const last = await http.query(`SELECT last(${v}) FROM ${quoteIdent(READINGS)}`);
  const end = last.series[0]?.values[0]?.[0];
  if (typeof end !== 'number') return;
  await computeIntoWindows(http, first, end + 1);
  await recomputeFromHours(http, await rolledUpHoursOf(http, undefined, undefined), zoneOf);
}

/** Rollups of the raw readings in [from, to), in windows of whole hours. */
async function computeIntoWindows(http: InfluxHttp, from: number, to: number): Promise<void> {
  const start = Math.floor(from / HOUR_MS) * HOUR_MS;
  for (let at = start; at < to; at += BACKFILL_WINDOW_MS) {
    await computeInto(http, at, Math.min(at + BACKFILL_WINDOW_MS, Math.ceil(to / HOUR_MS) * HOUR_MS));
  }
}
