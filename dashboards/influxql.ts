import type { MetricId } from '../domain/metrics.ts';
import {
  quoteIdent,
  quoteString,
  READING_TAGS,
  READINGS,
  REJECTION_FIELDS,
  REJECTION_TAGS,
  REJECTIONS,
  VALUE_FIELD,
} from '../store/influxdb/influx-schema.ts';

/**
 * The InfluxQL behind every panel, against the store's schema (store/influxdb/influx-schema.ts:
 * names and quoting come from there). `$timeFilter`, `$__interval`, `$device` and `$metric` are
 * Grafana macros and template variables, replaced by Grafana before the query is sent.
 */
const VALUE = quoteIdent(VALUE_FIELD);
const FROM_READINGS = `FROM ${quoteIdent(READINGS)}`;
const CITY = quoteIdent(READING_TAGS.city);
const DEVICE = quoteIdent(READING_TAGS.device);
const METRIC = quoteIdent(READING_TAGS.metric);
const DEVICE_FILTER = `${DEVICE} =~ /^$device$/`;
const METRIC_FILTER = `${METRIC} =~ /^$metric$/`;

function cityIs(city: string): string {
  return `${CITY} = ${quoteString(city)}`;
}

function metricIs(metric: MetricId): string {
  return `${METRIC} = ${quoteString(metric)}`;
}

/** Mean per device and Grafana interval, for one metric of one city. */
export function metricSeriesQuery(city: string, metric: MetricId): string {
  return `SELECT mean(${VALUE}) ${FROM_READINGS} WHERE ${cityIs(city)} AND ${metricIs(metric)} AND ${DEVICE_FILTER} AND $timeFilter GROUP BY time($__interval), ${DEVICE} fill(none)`;
}

/** Mean over the selected devices per metric and interval; the stat panel shows the last bucket. */
export function latestByMetricQuery(city: string): string {
  return `SELECT mean(${VALUE}) ${FROM_READINGS} WHERE ${cityIs(city)} AND ${DEVICE_FILTER} AND ${METRIC_FILTER} AND $timeFilter GROUP BY time($__interval), ${METRIC} fill(none)`;
}

/** Last reading of every device and metric in the range (a table: time, device, metric, value). */
export function latestPerDeviceQuery(city: string): string {
  return `SELECT last(${VALUE}) AS ${VALUE} ${FROM_READINGS} WHERE ${cityIs(city)} AND ${DEVICE_FILTER} AND ${METRIC_FILTER} AND $timeFilter GROUP BY ${DEVICE}, ${METRIC}`;
}

/** Readings per device in the range, for the map (a table: time, device, readings). */
export function deviceActivityQuery(city: string): string {
  return `SELECT count(${VALUE}) AS "readings" ${FROM_READINGS} WHERE ${cityIs(city)} AND ${DEVICE_FILTER} AND $timeFilter GROUP BY ${DEVICE}`;
}

/** The newest refused messages of a city. */
export function rejectionsQuery(city: string, limit = 200): string {
  const columns = [REJECTION_TAGS.device, REJECTION_TAGS.code, ...REJECTION_FIELDS]
    .map(quoteIdent)
    .join(', ');
  return `SELECT ${columns} FROM ${quoteIdent(REJECTIONS)} WHERE ${quoteIdent(REJECTION_TAGS.city)} = ${quoteString(city)} AND ${quoteIdent(REJECTION_TAGS.device)} =~ /^$device$/ AND $timeFilter ORDER BY time DESC LIMIT ${limit}`;
}

/** Daily means over all devices of a city, the days being the city's local calendar days. */
export function dailyMeanQuery(city: string, metric: MetricId, timeZone: string): string {
  return `SELECT mean(${VALUE}) ${FROM_READINGS} WHERE ${cityIs(city)} AND ${metricIs(metric)} AND $timeFilter GROUP BY time(1d) fill(none) tz(${quoteString(timeZone)})`;
}

/** Template variable queries: the devices and metrics a city has reported. */
export function tagValuesQuery(city: string, key: 'device' | 'metric'): string {
  return `SHOW TAG VALUES ${FROM_READINGS} WITH KEY = ${quoteIdent(READING_TAGS[key])} WHERE ${cityIs(city)}`;
}
