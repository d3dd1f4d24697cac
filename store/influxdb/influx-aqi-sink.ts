import type { IndexRow } from '../../aqi/index-rows.ts';
import type { IndexRange, IndexSeriesSink } from '../../aqi/index-series-sink.ts';
import { UcapError } from '../../domain/errors.ts';
import { createInfluxHttp } from './influx-http.ts';
import type { InfluxV1Options } from './influx-options.ts';
import {
  AQI,
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
import { epochMs } from './influxql.ts';

/**
 * The `aqi` measurement (see influx-schema.ts) as an index-series sink, over InfluxDB 1.x's API:
 * a replace is an InfluxQL DELETE of the range, then a write. (InfluxDB 2.x has no InfluxQL DELETE;
 * its predicate delete API would be the way there, not built yet.)
 */
export function createInfluxAqiSink(options: InfluxV1Options): IndexSeriesSink {
  const http = createInfluxHttp(options);
  return {
    async replace(range, rows) {
      await http.query(deleteQuery(range));
      if (rows.length > 0) await http.write(rows.map(aqiLine), 'ms');
    },
    async close() {
      http.close();
    },
  };
}

export function deleteQuery(range: IndexRange): string {
  if (range.to <= range.from) throw new UcapError('STORE_WRITE_FAILED', 'empty index range to replace');
  return `DELETE FROM ${quoteIdent(AQI)} WHERE ${quoteIdent(AQI_TAGS.city)} = ${quoteString(range.city)} AND ${quoteIdent(AQI_TAGS.every)} = ${quoteString(range.every)} AND time >= ${epochMs(range.from)} AND time < ${epochMs(range.to)}`;
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
    [AQI_FIELDS.incomplete, row.incomplete ? 'T' : 'F'],
    [AQI_FIELDS.level, String(row.level)],
    [AQI_FIELDS.primary, quoteFieldString(row.primary.join(','))],
    [AQI_FIELDS.value, String(row.value)],
    [AQI_FIELDS.version, quoteFieldString(row.version)],
    ...Object.entries(row.subIndices).map(([m, v]): [string, string] => [subIndexField(m), String(v)]),
  ];
  fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${PREFIX}${tags} ${fields.map(([k, v]) => `${escapeTag(k)}=${v}`).join(',')} ${row.ts}`;
}
