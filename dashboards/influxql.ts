import type { MetricId } from '../domain/metrics.ts';

/**
 * The InfluxQL behind every panel, against the store's fixed schema: measurement `readings`
 * (tags city, device, metric; float field value) and `rejections` (tags city, device, code;
 * string fields reason, topic, payload). `$timeFilter`, `$__interval`, `$device` and `$metric`
 * are Grafana macros and template variables, replaced by Grafana before the query is sent.
 */
export function quoteString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const DEVICE_FILTER = `"device" =~ /^$device$/`;
const METRIC_FILTER = `"metric" =~ /^$metric$/`;

/** Mean per device and Grafana interval, for one metric of one city. */
export function metricSeriesQuery(city: string, metric: MetricId): string {
  return `SELECT mean("value") FROM "readings" WHERE "city" = ${quoteString(city)} AND "metric" = ${quoteString(metric)} AND ${DEVICE_FILTER} AND $timeFilter GROUP BY time($__interval), "device" fill(none)`;
}

/** Mean over the selected devices per metric and interval; the stat panel shows the last bucket. */
export function latestByMetricQuery(city: string): string {
  return `SELECT mean("value") FROM "readings" WHERE "city" = ${quoteString(city)} AND ${DEVICE_FILTER} AND ${METRIC_FILTER} AND $timeFilter GROUP BY time($__interval), "metric" fill(none)`;
}

/** Last reading of every device and metric in the range (a table: time, device, metric, value). */
export function latestPerDeviceQuery(city: string): string {
  return `SELECT last("value") AS "value" FROM "readings" WHERE "city" = ${quoteString(city)} AND ${DEVICE_FILTER} AND ${METRIC_FILTER} AND $timeFilter GROUP BY "device", "metric"`;
}

/** Readings per device in the range, for the map (a table: time, device, readings). */
export function deviceActivityQuery(city: string): string {
  return `SELECT count("value") AS "readings" FROM "readings" WHERE "city" = ${quoteString(city)} AND ${DEVICE_FILTER} AND $timeFilter GROUP BY "device"`;
}

/** The newest refused messages of a city. */
export function rejectionsQuery(city: string, limit = 200): string {
  return `SELECT "device", "code", "reason", "topic", "payload" FROM "rejections" WHERE "city" = ${quoteString(city)} AND ${DEVICE_FILTER} AND $timeFilter ORDER BY time DESC LIMIT ${limit}`;
}

/** Daily means over all devices of a city, the days being the city's local calendar days. */
export function dailyMeanQuery(city: string, metric: MetricId, timeZone: string): string {
  return `SELECT mean("value") FROM "readings" WHERE "city" = ${quoteString(city)} AND "metric" = ${quoteString(metric)} AND $timeFilter GROUP BY time(1d) fill(none) tz(${quoteString(timeZone)})`;
}

/** Template variable queries: the devices and metrics a city has reported. */
export function tagValuesQuery(city: string, key: 'device' | 'metric'): string {
  return `SHOW TAG VALUES FROM "readings" WITH KEY = "${key}" WHERE "city" = ${quoteString(city)}`;
}
