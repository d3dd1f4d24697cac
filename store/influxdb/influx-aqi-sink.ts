import { z } from 'zod';
import { UcapError } from '../../domain/errors.ts';
import { decodeIndexRows, encodeIndexDetail } from '../index-detail.ts';
import type { IndexRow } from '../index-row.ts';
import type {
  IndexRange,
  IndexSeriesStore,
  StoredIndexQuery,
  StoredIndexSeries,
} from '../index-series-sink.ts';
import type { InfluxHttp } from './influx-http.ts';
import { rowsOf, type StatementResult } from './influx-results.ts';
import {
  AQI,
  AQI_COVERAGE,
  AQI_COVERAGE_FIELDS,
  AQI_COVERAGE_TAGS,
  AQI_FIELDS,
  AQI_TAGS,
  escapeMeasurement,
  escapeTag,
  quoteFieldString,
  quoteIdent,
  quoteString,
  subIndexField,
  tagPair,
} from './influx-schema.ts';
import { epochMs, tagEquals, timeRange, where } from './influxql.ts';

/**
 * The `aqi` and `aqi_coverage` measurements (see influx-schema.ts) as the index series of an
 * InfluxDB 1.x store: a replace is an InfluxQL DELETE of the range, then a write; a read is two
 * InfluxQL SELECTs. (InfluxDB 2.x has no InfluxQL DELETE; its predicate delete API would be the way
 * there, not built yet: a 2.x store keeps no index series and /v1/aqi computes.)
 * `http` is the store's own; the store runs these calls through its gate and error guard.
 */
export function influxIndexSeries(http: InfluxHttp): IndexSeriesStore {
  return {
    async replace(range, rows) {
      // Not atomic here: the days are first marked not computed, so /v1/aqi computes them while
      // their rows are deleted and rewritten, and marked computed again once all rows are written.
      const stamp = async (computedAt: number) => {
        const lines = coverageLines({ ...range, computedAt });
        if (lines.length > 0) await http.write(lines, 'ms');
      };
      await stamp(0);
      await http.query(deleteQuery(range));
      for (const chunk of chunksOf(rows.map(aqiLine))) await http.write(chunk, 'ms');
      await stamp(range.computedAt);
    },
    async read(query) {
      const [rows, coverage] = await Promise.all([
        http.query(selectRowsQuery(query), { signal: query.signal }),
        http.query(selectCoverageQuery(query), { signal: query.signal }),
      ]);
      return toStoredIndexSeries(query, rows, coverage);
    },
  };
}

/**
 * Index lines carry their whole result (1–2 kB each): a month of a city's devices is tens of
 * megabytes, beyond InfluxDB's request limit (max-body-size, 25 MB by default). Requests of at
 * most 4 MiB of text.
 */
const MAX_CHARS_PER_REQUEST = 4 * 2 ** 20;

export function chunksOf(lines: readonly string[]): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (chunk.length > 0 && size + line.length > MAX_CHARS_PER_REQUEST) {
      chunks.push(chunk);
      chunk = [];
      size = 0;
    }
    chunk.push(line);
    size += line.length + 1;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

export function deleteQuery(range: IndexRange): string {
  if (range.to <= range.from) throw new UcapError('STORE_WRITE_FAILED', 'empty index range to replace');
  const standards = range.standards.map((s) => `${quoteIdent(AQI_TAGS.standard)} = ${quoteString(s)}`);
  return `DELETE FROM ${quoteIdent(AQI)} WHERE ${quoteIdent(AQI_TAGS.city)} = ${quoteString(range.city)} AND ${quoteIdent(AQI_TAGS.every)} = ${quoteString(range.every)} AND (${standards.join(' OR ')}) AND time >= ${epochMs(range.from)} AND time < ${epochMs(range.to)}`;
}

const PREFIX = escapeMeasurement(AQI);

/** One row as a line; tags and fields in key order, as InfluxDB keeps them. */
export function aqiLine(row: IndexRow): string {
  const tags =
    tagPair(AQI_TAGS.city, row.city) +
    (row.deviceId === undefined ? '' : tagPair(AQI_TAGS.device, row.deviceId)) +
    tagPair(AQI_TAGS.every, row.every) +
    tagPair(AQI_TAGS.scope, row.deviceId === undefined ? 'city' : 'device') +
    tagPair(AQI_TAGS.standard, row.standard);
  const fields: [string, string][] = [
    [AQI_FIELDS.detail, quoteFieldString(encodeIndexDetail(row))],
    [AQI_FIELDS.incomplete, row.incomplete ? 'T' : 'F'],
    ...(row.level === null ? [] : [[AQI_FIELDS.level, String(row.level)] as [string, string]]),
    [AQI_FIELDS.primary, quoteFieldString(row.primary.join(','))],
    ...(row.value === null ? [] : [[AQI_FIELDS.value, String(row.value)] as [string, string]]),
    [AQI_FIELDS.version, quoteFieldString(row.version)],
    ...Object.entries(row.subIndices).map(([m, v]): [string, string] => [subIndexField(m), String(v)]),
  ];
  fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${PREFIX}${tags} ${fields.map(([k, v]) => `${escapeTag(k)}=${v}`).join(',')} ${row.ts}`;
}

const COVERAGE_PREFIX = escapeMeasurement(AQI_COVERAGE);

/** One line per standard and local day: a later replace of the same day overwrites it. */
export function coverageLines(range: IndexRange): string[] {
  return range.standards.flatMap((standard) =>
    range.days.map(
      (day) =>
        `${COVERAGE_PREFIX}${tagPair(AQI_COVERAGE_TAGS.city, range.city)}${tagPair(AQI_COVERAGE_TAGS.every, range.every)}${tagPair(AQI_COVERAGE_TAGS.standard, standard)} ${AQI_COVERAGE_FIELDS.computedAt}=${Math.round(range.computedAt)}i,${AQI_COVERAGE_FIELDS.revision}=${quoteFieldString(range.revision)},${AQI_COVERAGE_FIELDS.to}=${day.to}i ${day.from}`,
    ),
  );
}

function selectRowsQuery(query: StoredIndexQuery): string {
  return `SELECT ${quoteIdent(AQI_FIELDS.detail)} FROM ${quoteIdent(AQI)}${where([
    tagEquals(AQI_TAGS.city, query.city),
    tagEquals(AQI_TAGS.scope, query.deviceId === undefined ? 'city' : 'device'),
    tagEquals(AQI_TAGS.device, query.deviceId),
    tagEquals(AQI_TAGS.standard, query.standard),
    tagEquals(AQI_TAGS.every, query.every),
    ...timeRange(query.from, query.to),
  ])}`;
}

/** Days that end after `from` and begin before `to`: begin in [from − 2 days, to) (days ≤ 25 h). */
function selectCoverageQuery(query: StoredIndexQuery): string {
  return `SELECT ${quoteIdent(AQI_COVERAGE_FIELDS.to)}, ${quoteIdent(AQI_COVERAGE_FIELDS.computedAt)}, ${quoteIdent(AQI_COVERAGE_FIELDS.revision)} FROM ${quoteIdent(AQI_COVERAGE)}${where(
    [
      tagEquals(AQI_COVERAGE_TAGS.city, query.city),
      tagEquals(AQI_COVERAGE_TAGS.standard, query.standard),
      tagEquals(AQI_COVERAGE_TAGS.every, query.every),
      ...timeRange(query.from - 2 * 86_400_000, query.to),
    ],
  )}`;
}

const rowSchema = z.object({ time: z.number(), detail: z.string() });
const coverageSchema = z.object({
  time: z.number(),
  to: z.number(),
  computed_at: z.number(),
  revision: z.string(),
});

function toStoredIndexSeries(
  query: StoredIndexQuery,
  rows: StatementResult,
  coverage: StatementResult,
): StoredIndexSeries {
  return {
    ...decodeIndexRows(
      query,
      rows.series.flatMap(rowsOf).map((r) => {
        const { time, detail } = rowSchema.parse(r);
        return { ts: time, detail };
      }),
    ),
    coverage: coverage.series
      .flatMap(rowsOf)
      .map((r) => coverageSchema.parse(r))
      .map((c) => ({ from: c.time, to: c.to, computedAt: c.computed_at, revision: c.revision }))
      .filter((c) => c.to > query.from),
  };
}
