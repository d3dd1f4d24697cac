import type { MetricId } from '../domain/metrics.ts';
import {
  AQI,
  AQI_FIELDS,
  AQI_TAGS,
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

// ---- Index series (the `aqi` measurement kept by aqi/index-series-maintainer.ts) ----------------

export type IndexScope = 'city' | 'device';

function aqiWhere(city: string, scope: IndexScope, standard: string, every: '1h' | '1d'): string {
  const tag = (name: string, value: string) => `${quoteIdent(name)} = ${quoteString(value)}`;
  return [
    tag(AQI_TAGS.city, city),
    tag(AQI_TAGS.scope, scope),
    tag(AQI_TAGS.standard, standard),
    tag(AQI_TAGS.every, every),
  ].join(' AND ');
}

const AQI_VALUE = quoteIdent(AQI_FIELDS.value);
const FROM_AQI = `FROM ${quoteIdent(AQI)}`;

/** The city's latest hourly index of a standard in the range. */
export function currentIndexQuery(city: string, standard: string): string {
  return `SELECT last(${AQI_VALUE}) AS ${AQI_VALUE} ${FROM_AQI} WHERE ${aqiWhere(city, 'city', standard, '1h')} AND $timeFilter`;
}

/** The city's hourly or daily index of a standard over the range, as stored. */
export function indexHistoryQuery(city: string, standard: string, every: '1h' | '1d'): string {
  return `SELECT ${AQI_VALUE} ${FROM_AQI} WHERE ${aqiWhere(city, 'city', standard, every)} AND $timeFilter`;
}

/** The latest hourly row of the city: every sub-index (si_*), primary pollutants, version. */
export function subIndicesQuery(city: string, standard: string): string {
  return `SELECT last(*) ${FROM_AQI} WHERE ${aqiWhere(city, 'city', standard, '1h')} AND $timeFilter`;
}

/** Latest hourly index per device (a table: time, device, index), for the map. */
export function deviceIndexQuery(city: string, standard: string): string {
  return `SELECT last(${AQI_VALUE}) AS "index" ${FROM_AQI} WHERE ${aqiWhere(city, 'device', standard, '1h')} AND $timeFilter GROUP BY ${quoteIdent(AQI_TAGS.device)}`;
}

/** Lowest hourly city index in the range (alert: every hour of the range at or above a level). */
export function indexMinQuery(city: string, standard: string): string {
  return `SELECT min(${AQI_VALUE}) ${FROM_AQI} WHERE ${aqiWhere(city, 'city', standard, '1h')} AND $timeFilter`;
}

/** Mean of the city's readings of a metric over the range (alert: 24-hour mean above a guideline). */
export function rangeMeanQuery(city: string, metric: MetricId): string {
  return `SELECT mean(${VALUE}) ${FROM_READINGS} WHERE ${cityIs(city)} AND ${metricIs(metric)} AND $timeFilter`;
}

/**
 * Per device, the mean number of readings per 10-minute bucket over the last three buckets (a
 * moving average, the newest bucket being the current, partial one), 0 for a device that reported
 * earlier in the range but not since (alert: silent device). fill(0) makes the silent devices'
 * buckets exist; a time condition outside the aggregation would hide them, so there is none.
 */
export function recentReadingsPerDeviceQuery(city: string): string {
  return `SELECT moving_average(count(${VALUE}), 3) ${FROM_READINGS} WHERE ${cityIs(city)} AND $timeFilter GROUP BY time(10m), ${DEVICE} fill(0)`;
}

/** Local days of the range whose city mean of `metric` is above `limit`. */
export function daysAboveQuery(city: string, metric: MetricId, timeZone: string, limit: number): string {
  return `SELECT count("mean") ${dailyMeansSubquery(city, metric, timeZone)} WHERE "mean" > ${limit}`;
}

/** Local days of the range with any `metric` data (the coverage of a daily count). */
export function daysWithDataQuery(city: string, metric: MetricId, timeZone: string): string {
  return `SELECT count("mean") ${dailyMeansSubquery(city, metric, timeZone)}`;
}

function dailyMeansSubquery(city: string, metric: MetricId, timeZone: string): string {
  return `FROM (SELECT mean(${VALUE}) ${FROM_READINGS} WHERE ${cityIs(city)} AND ${metricIs(metric)} AND $timeFilter GROUP BY time(1d) fill(none) tz(${quoteString(timeZone)}))`;
}
