import type { DayZoneOf, Range } from '../rollup-days.ts';
import { combine, HOUR_MS, type Partial } from '../rollup-plan.ts';
import { recomputeFromHours } from './influx-city-hours.ts';
import { computeInto, partialRow, RAW_FIELDS, rollupLine } from './influx-hour-rollups.ts';
import type { InfluxHttp } from './influx-http.ts';
import { rowsOf } from './influx-results.ts';
import { type CityHour, READINGS_1H } from './influx-rollup-days.ts';
import { quoteIdent, READINGS, VALUE_FIELD } from './influx-schema.ts';
import { timeRange, where } from './influxql.ts';

/**
 * Raw retention in InfluxDB 1.x (RAW_RETENTION_DAYS), by a periodic DELETE rather than a retention
 * policy: an RP drops whole shard groups whatever their rollup state, would also expire the `aqi`
 * and `rejections` measurements of the same database, and would need the rollups moved to another
 * RP that every query names. Each pass rolls up the raw readings of [deletedBefore, horizon)
 * (SELECT … INTO), sums their days, then runs `DELETE FROM "readings" WHERE time < horizon` and
 * records the horizon in the `raw_retention` measurement (field deleted_before, integer epoch ms).
 * An hour before that horizon has lost its raw readings: a reading written there later (an import
 * of the past) is added to the hour's rollups and deleted, not recomputed from what is left.
 * InfluxDB has no transactions: passes run in one process (ingest, the writer: open-store.ts) and
 * never alongside its rollup refreshes; a reading written into a deleted hour while a pass folds
 * that hour may be deleted uncounted, and a crash between the DELETE and recording the horizon
 * leaves the next pass to roll those hours up again from what is left (nothing: rollups kept).
 */
export const RAW_RETENTION = 'raw_retention';

/** Raw readings before this time (epoch ms, an hour start) were deleted; -Infinity: none. */
export interface RetentionState {
  deletedBefore: number;
}

export async function loadRetentionState(http: InfluxHttp): Promise<RetentionState> {
  const result = await http.query(`SELECT last("deleted_before") FROM ${quoteIdent(RAW_RETENTION)}`);
  const value = result.series[0]?.values[0]?.[1];
  return { deletedBefore: typeof value === 'number' ? value : Number.NEGATIVE_INFINITY };
}

const v = quoteIdent(VALUE_FIELD);

/**
 * A first pass may roll up and delete weeks of readings: it works a day at a time, so each
 * statement stays well within the request timeout (a month of 200 devices took 26 s as one).
 */
const PASS_WINDOW_MS = 24 * HOUR_MS;

async function firstReadingBefore(
  http: InfluxHttp,
  from: number,
  before: number,
): Promise<number | undefined> {
  const lower = from === Number.NEGATIVE_INFINITY ? undefined : from;
  const result = await http.query(
    `SELECT first(${v}) FROM ${quoteIdent(READINGS)}${where(timeRange(lower, before))}`,
  );
  const first = result.series[0]?.values[0]?.[0];
  return typeof first === 'number' ? first : undefined;
}

/** Adds the raw readings older than `before` to their hours' and days' rollups, then deletes them. */
export async function foldOldReadings(http: InfluxHttp, before: number, zoneOf: DayZoneOf): Promise<void> {
  if (before === Number.NEGATIVE_INFINITY) return;
  // A day at a time, jumping over empty stretches: an import of years of the past stays bounded.
  for await (const window of windowsWithReadings(http, Number.NEGATIVE_INFINITY, before)) {
    const byTags = (measurement: string, fields: string, grouping: string) =>
      http.query(
        `SELECT ${fields} FROM ${quoteIdent(measurement)}${where(timeRange(window.from, window.to))} GROUP BY ${grouping}"city", "device", "metric"${grouping === '' ? '' : ' fill(none)'}`,
      );
    const added = await byTags(READINGS, RAW_FIELDS, 'time(1h), ');
    const stored = await byTags(READINGS_1H, '"n", "total", "low", "high"', '');
    const old = new Map<string, Partial>();
    for (const series of stored.series) {
      for (const row of rowsOf(series)) {
        const parsed = partialRow.safeParse(row);
        if (parsed.success) old.set(`${tagKey(series.tags)}\u0000${parsed.data.time}`, parsed.data);
      }
    }
    const lines: string[] = [];
    const hours: CityHour[] = [];
    for (const series of added.series) {
      const { city = '', device = '', metric = '' } = series.tags ?? {};
      for (const row of rowsOf(series)) {
        const parsed = partialRow.safeParse(row);
        if (!parsed.success || parsed.data.n === 0) continue;
        const known = old.get(`${tagKey(series.tags)}\u0000${parsed.data.time}`);
        const sum = known === undefined ? parsed.data : combine(known, parsed.data);
        lines.push(rollupLine(city, device, metric, { time: parsed.data.time, ...pick(sum) }));
        hours.push({ city, hour: parsed.data.time, deviceId: device });
      }
    }
    for (let i = 0; i < lines.length; i += 5000) await http.write(lines.slice(i, i + 5000), 'ms');
    // Days before the DELETE: once the raw readings are gone, nothing would bring them back here.
    await recomputeFromHours(http, hours, zoneOf);
    await http.query(`DELETE FROM ${quoteIdent(READINGS)}${where(timeRange(window.from, window.to))}`);
  }
}

function tagKey(tags: Readonly<Record<string, string>> | undefined): string {
  return `${tags?.city ?? ''}\u0000${tags?.device ?? ''}\u0000${tags?.metric ?? ''}`;
}

function pick(p: Partial): Partial {
  return { n: p.n, total: p.total, low: p.low, high: p.high };
}

/**
 * One retention pass: rolls up the raw readings of [deletedBefore, horizon) and their days, folds
 * in older ones, deletes every raw reading before the horizon and records it.
 */
export async function applyRawRetention(
  http: InfluxHttp,
  horizon: number,
  state: RetentionState,
  zoneOf: DayZoneOf,
): Promise<void> {
  const before = Math.max(horizon, state.deletedBefore);
  const windows: Range[] = [];
  for await (const window of windowsWithReadings(http, state.deletedBefore, before)) {
    await computeInto(http, window.from, window.to);
    windows.push(window);
  }
  if (windows.length > 0) await recomputeFromHours(http, await hoursOfCities(http, windows), zoneOf);
  await foldOldReadings(http, state.deletedBefore, zoneOf);
  // Window by window first: a single DELETE over weeks of readings can outlast the request timeout.
  for (const window of windows) {
    await http.query(`DELETE FROM ${quoteIdent(READINGS)}${where(timeRange(window.from, window.to))}`);
  }
  await http.query(`DELETE FROM ${quoteIdent(READINGS)}${where(timeRange(undefined, before))}`);
  await http.write([`${RAW_RETENTION} deleted_before=${before}i ${Date.now()}`], 'ms');
  state.deletedBefore = before;
}

/**
 * The day-long windows of [from, before) that hold raw readings, jumping over empty stretches
 * (a single reading dated decades back must not cost a statement per empty day).
 */
async function* windowsWithReadings(http: InfluxHttp, from: number, before: number): AsyncGenerator<Range> {
  let next = await firstReadingBefore(http, from, before);
  while (next !== undefined) {
    const start = Math.floor(next / HOUR_MS) * HOUR_MS;
    const end = Math.min(start + PASS_WINDOW_MS, before);
    yield { from: start, to: end };
    next = end < before ? await firstReadingBefore(http, end, before) : undefined;
  }
}

/** Every hour of these windows for every city with rollups: the days to sum again. */
async function hoursOfCities(http: InfluxHttp, windows: readonly Range[]): Promise<CityHour[]> {
  const tags = await http.query(`SHOW TAG VALUES FROM ${quoteIdent(READINGS_1H)} WITH KEY = "city"`);
  const cities = (tags.series[0]?.values ?? []).map((row) => String(row[1]));
  const hours: CityHour[] = [];
  for (const window of windows)
    for (let hour = window.from; hour < window.to; hour += HOUR_MS)
      for (const city of cities) hours.push({ city, hour });
  return hours;
}
