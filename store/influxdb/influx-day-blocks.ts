import { Point } from '@influxdata/influxdb-client';
import { DAY_MS, type Range } from '../rollup-days.ts';
import { HOUR_MS } from '../rollup-plan.ts';
import type { SeriesQuery } from '../time-series-store.ts';
import type { InfluxHttp } from './influx-http.ts';
import {
  ALL_FIELDS,
  type DevicePart,
  devicePartsOf,
  eachPartial,
  type PartialRows,
} from './influx-partials.ts';
import type { InfluxSeries } from './influx-results.ts';
import { type CityHour, READINGS_1H } from './influx-rollup-days.ts';
import { quoteIdent, READING_TAGS } from './influx-schema.ts';
import { tagEquals, timeRange, where } from './influxql.ts';

/**
 * Day blocks: the hourly rollups again, a UTC day of one device and metric packed in one point.
 *
 *   readings_1h_packed  tags   city, device, metric (as readings_1h)
 *                       fields hours (string: base64 of 24 × 4 float64 little-endian, the n, total,
 *                              low and high of each UTC hour of the day as in readings_1h; n 0 for
 *                              an hour without readings)
 *                       time   the UTC midnight starting the day
 *
 * Why: InfluxDB 1.6 spends its time per row × field it answers. A city month every 1h read from
 * readings_1h (100 devices × 720 hours, fields n and total: ~72k rows × 2) cost influxd 230–290 ms
 * of CPU per request, which no client-side work could win back; a count() over the same rows cost
 * ~46 ms. The same month from day blocks is ~3,100 rows of one field: ~25 ms of influxd CPU. Floats
 * are copied bit for bit (little-endian float64 both ways), so a series from blocks equals the one
 * from readings_1h byte for byte. Only 1-hour buckets read blocks; wider ones are still grouped by
 * InfluxDB from readings_1h (or read from readings_1d).
 *
 * A block is rewritten whole, from that day's readings_1h rows, whenever hours of readings_1h are
 * (recomputeFromHours: refreshes, late readings, imports, backfill, raw retention's folding): one
 * point per (device, metric, day) replaces the last, so rewriting is idempotent. readings_1h stays
 * the source: daily rollups and city hours are summed from it by InfluxDB, which cannot read these.
 * A database whose rollups predate blocks gets them at open (a month of 2 cities × 100 devices × 4
 * metrics: ~5 s); until then series read raw readings, as before any rollup is known complete.
 */
export const READINGS_1H_PACKED = 'readings_1h_packed';
export const HOURS_FIELD = 'hours';

const HOURS_PER_DAY = 24;
/** n, total, low, high. */
const SLOT_BYTES = 4 * 8;
const BLOCK_BYTES = HOURS_PER_DAY * SLOT_BYTES;

/** The UTC midnight starting the day of `ts`. */
function utcDayOf(ts: number): number {
  return Math.floor(ts / DAY_MS) * DAY_MS;
}

/**
 * Rewrites the blocks of the UTC days holding these hours: of the hours' devices when every hour
 * names its device (a late reading rewrites its device's blocks, not the city's), else of every
 * device of the city.
 */
export async function recomputeDayBlocks(http: InfluxHttp, hours: Iterable<CityHour>): Promise<void> {
  const byCityDay = new Map<string, Map<number, Set<string> | 'all'>>();
  for (const { city, hour, deviceId } of hours) {
    const days = byCityDay.get(city) ?? new Map<number, Set<string> | 'all'>();
    byCityDay.set(city, days);
    const day = utcDayOf(hour);
    const devices = days.get(day) ?? new Set<string>();
    if (devices === 'all' || deviceId === undefined) days.set(day, 'all');
    else days.set(day, devices.add(deviceId));
  }
  const lines: string[] = [];
  for (const [city, days] of byCityDay) {
    // A day per statement: a month imported at once stays ~30 bounded statements (a city day of
    // 200 devices × 4 metrics is ~19k rows), never one that outlasts the request timeout.
    for (const [day, devices] of [...days].sort(([a], [b]) => a - b)) {
      const filter = where([
        tagEquals(READING_TAGS.city, city),
        deviceFilter(devices),
        ...timeRange(day, day + DAY_MS),
      ]);
      const result = await http.query(
        `SELECT "n", "total", "low", "high" FROM ${quoteIdent(READINGS_1H)}${filter} GROUP BY ${quoteIdent(READING_TAGS.device)}, ${quoteIdent(READING_TAGS.metric)}`,
        { format: 'msgpack' },
      );
      for (const series of result.series) lines.push(...blockLines(city, day, series));
      while (lines.length >= WRITE_BATCH) await http.write(lines.splice(0, WRITE_BATCH), 'ms');
    }
  }
  if (lines.length > 0) await http.write(lines, 'ms');
}

/** Devices named in one statement at most; more read the whole city day (as long a statement). */
const MAX_NAMED_DEVICES = 20;

function deviceFilter(devices: Set<string> | 'all'): string | undefined {
  if (devices === 'all' || devices.size > MAX_NAMED_DEVICES) return undefined;
  return `(${[...devices].map((d) => tagEquals(READING_TAGS.device, d)).join(' OR ')})`;
}

/** Lines per write, as the other rollups write them. */
const WRITE_BATCH = 5_000;

/** The block line of one (device, metric) series of a day's readings_1h rows; none without readings. */
function blockLines(city: string, day: number, series: InfluxSeries): string[] {
  const { device = '', metric = '' } = series.tags ?? {};
  const block = Buffer.alloc(BLOCK_BYTES);
  let hoursWithReadings = 0;
  eachPartial(series, ALL_FIELDS, (ts, { n, total, low, high }) => {
    const hour = (ts - day) / HOUR_MS;
    if (!Number.isInteger(hour) || hour < 0 || hour >= HOURS_PER_DAY) return;
    const offset = hour * SLOT_BYTES;
    block.writeDoubleLE(n, offset);
    block.writeDoubleLE(total, offset + 8);
    block.writeDoubleLE(low, offset + 16);
    block.writeDoubleLE(high, offset + 24);
    hoursWithReadings += 1;
  });
  if (hoursWithReadings === 0) return [];
  const line = new Point(READINGS_1H_PACKED)
    .tag(READING_TAGS.city, city)
    .tag(READING_TAGS.device, device)
    .tag(READING_TAGS.metric, metric)
    .stringField(HOURS_FIELD, block.toString('base64'))
    .timestamp(String(day))
    .toLineProtocol();
  return line === undefined ? [] : [line];
}

/**
 * Whether every city's newest rolled-up day has its block: not in a database whose rollups predate
 * blocks, nor in one whose first computing of them stopped midway (blocks are written city by
 * city, day after day, so a city's newest block is its last one written).
 */
export async function dayBlocksComplete(http: InfluxHttp): Promise<boolean> {
  const tags = await http.query(`SHOW TAG VALUES FROM ${quoteIdent(READINGS_1H)} WITH KEY = "city"`);
  for (const row of tags.series[0]?.values ?? []) {
    const city = tagEquals(READING_TAGS.city, String(row[1]));
    const last = await http.query(`SELECT last("n") FROM ${quoteIdent(READINGS_1H)}${where([city])}`);
    const newest = last.series[0]?.values[0]?.[0];
    if (typeof newest !== 'number') continue;
    const filter = where([city, ...timeRange(utcDayOf(newest), utcDayOf(newest) + DAY_MS)]);
    const block = await http.query(
      `SELECT ${quoteIdent(HOURS_FIELD)} FROM ${quoteIdent(READINGS_1H_PACKED)}${filter} LIMIT 1`,
    );
    if (block.series.length === 0) return false;
  }
  return true;
}

/**
 * The hourly rollups of `query` over the whole hours of `range`, read from day blocks: one part
 * per device, its hours in order, only hours with readings (as readings_1h rows would give).
 */
export async function readDayBlocks(
  http: InfluxHttp,
  query: SeriesQuery,
  range: Range,
): Promise<DevicePart[]> {
  const filter = where([
    tagEquals(READING_TAGS.city, query.city),
    tagEquals(READING_TAGS.metric, query.metric),
    tagEquals(READING_TAGS.device, query.deviceId),
    ...timeRange(utcDayOf(range.from), range.to),
  ]);
  const answer = await http.query(
    `SELECT ${quoteIdent(HOURS_FIELD)} FROM ${quoteIdent(READINGS_1H_PACKED)}${filter} GROUP BY ${quoteIdent(READING_TAGS.device)}`,
    { signal: query.signal, format: 'msgpack' },
  );
  return devicePartsOf(answer, (series) => (visit) => eachBlockHour(series, range, visit));
}

// One aligned buffer the blocks are decoded into, one at a time (no allocation per block).
const decoded = new ArrayBuffer(BLOCK_BYTES);
const decodedBytes = Buffer.from(decoded);
const slots = new DataView(decoded);

/** Calls `visit` with each hour of `range` holding readings in one device's blocks, in order. */
function eachBlockHour(series: InfluxSeries, range: Range, visit: Parameters<PartialRows>[0]): void {
  const ti = series.columns.indexOf('time');
  const bi = series.columns.indexOf(HOURS_FIELD);
  const partial = { n: 0, total: 0, low: 0, high: 0 };
  for (const row of series.values) {
    const day = row[ti];
    const packed = row[bi];
    if (typeof day !== 'number' || typeof packed !== 'string') continue;
    if (decodedBytes.write(packed, 'base64') !== BLOCK_BYTES) continue;
    for (let hour = 0; hour < HOURS_PER_DAY; hour += 1) {
      const ts = day + hour * HOUR_MS;
      if (ts < range.from || ts >= range.to) continue;
      const offset = hour * SLOT_BYTES;
      const n = slots.getFloat64(offset, true);
      if (n === 0) continue;
      partial.n = n;
      partial.total = slots.getFloat64(offset + 8, true);
      partial.low = slots.getFloat64(offset + 16, true);
      partial.high = slots.getFloat64(offset + 24, true);
      visit(ts, partial);
    }
  }
}
