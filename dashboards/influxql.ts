import { AQ_POLLUTANTS, type AqPollutant } from '../domain/air-quality/pollutants.ts';
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

/**
 * How one limit value is judged over the year so far, as the exceedance table needs it: the
 * averaging period, the value, how many periods above it are allowed (a fixed count, or as many as
 * keep the p-th percentile at or below the value) and, for 24-hour means, how many hourly values a
 * day needs to count (the standard's validity rule).
 */
export interface ExceedanceLimit {
  readonly metric: AqPollutant;
  readonly averaging: '1h' | '24h';
  readonly value: number;
  readonly allowed:
    | { readonly kind: 'count'; readonly n: number }
    | { readonly kind: 'percentile'; readonly p: number };
  /** Hourly values a valid daily mean needs (24-hour limits). */
  readonly dailyMinHours: number;
}

/** Columns of an exceedance row, in table order. */
export const EXCEEDANCE_COLUMNS = [
  'pollutant',
  'hours',
  'limit',
  'allowed',
  'so_far',
  'valid',
  'periods',
  'coverage',
] as const;

/** The number standing for a pollutant in the `pollutant` column (a value mapping shows its name). */
export function pollutantCode(pollutant: AqPollutant): number {
  return AQ_POLLUTANTS.indexOf(pollutant) + 1;
}

/**
 * Indicator of `x > 0` for |x| < 10⁶ (1 above, 0 or -0 otherwise). InfluxQL has no comparison in
 * SELECT expressions; concentrations differ from a limit by far less than 10⁶ in our units, and a
 * difference of any size above 0 still gives ceil(x/10⁶) = 1.
 */
function positive(expression: string): string {
  return `ceil((${expression}) / 1000000)`;
}

/** Radix packing three counts below it into one number (a year has at most 8784 hours). */
const K = 10_000;

/**
 * One row for one limit over the range (Grafana: `now/y`, the local year so far), per city, from
 * hourly city means (each hour the mean of the devices' hourly means, as /v1/exceedances):
 * - 24-hour limits: a local day is valid with at least `dailyMinHours` hourly values; `so_far`
 *   counts the valid days whose mean is above the value, `valid` the valid days, `periods` the
 *   days of the range;
 * - 1-hour limits: `so_far` counts hours above the value, `valid` hours with data, `periods` hours
 *   of the range.
 * `allowed` is the standard's count, or for a percentile rule the most periods above the value
 * that keep the p-th percentile of the n valid ones at or below it: ⌊(n − 1)·(100 − p)/100⌋ (with
 * rank k = 1 + (n − 1)·p/100, every value from rank ⌈k⌉ up would be above).
 *
 * InfluxDB 1.x re-runs a subquery for every distinct aggregate of the outer query (and a GROUP BY
 * tag there costs about as much again), so each period is packed into one number
 * c = 1 + K·valid + K²·above and the row is computed from the single sum(c): periods = Σ mod K,
 * valid = ⌊Σ/K⌋ mod K, so far = ⌊Σ/K²⌋ (exact in float64 for K = 10⁴). Columns that are constants
 * are written as sum(c)·0 + value, which reuses that aggregate. Only the innermost and the filling
 * queries carry `$timeFilter`: InfluxDB 1.x returns nothing when an aggregate over a tz()-grouped
 * subquery has its own time condition.
 */
export function exceedanceQuery(city: string, timeZone: string, limit: ExceedanceLimit): string {
  const tz = `tz(${quoteString(timeZone)})`;
  const deviceHours = `SELECT mean(${VALUE}) AS "dm" ${FROM_READINGS} WHERE ${cityIs(city)} AND ${metricIs(limit.metric)} AND $timeFilter GROUP BY time(1h), ${DEVICE} fill(none) ${tz}`;
  let valid: string;
  let above: string;
  let from: string;
  if (limit.averaging === '24h') {
    const min = limit.dailyMinHours;
    // floor(n / min) is 1 for min ≤ n ≤ 25 (a day has at most 25 hours) only when 2·min > 25.
    if (!(2 * min > 25 && min <= 24)) throw new Error(`daily validity of ${min} hours cannot be expressed`);
    const cityHours = `SELECT mean("dm") AS "h" FROM (${deviceHours}) GROUP BY time(1h) fill(none) ${tz}`;
    from = `SELECT count("h") AS "n", mean("h") AS "d" FROM (${cityHours}) WHERE $timeFilter GROUP BY time(1d) fill(0) ${tz}`;
    valid = `floor("n" / ${min})`;
    above = `${positive(`"d" - ${limit.value}`)} * ${valid}`;
  } else {
    from = `SELECT mean("dm") AS "h", count("dm") AS "k" FROM (${deviceHours}) WHERE $timeFilter GROUP BY time(1h) fill(0) ${tz}`;
    valid = positive('"k"');
    above = positive(`"h" - ${limit.value}`);
  }
  const periods = `SELECT 1 + ${K} * ${valid} + ${K * K} * ${above} AS "c" FROM (${from})`;
  const sum = 'sum("c")';
  const constant = (value: number) => `${sum} * 0 + ${value}`;
  const validCount = `floor(${sum} / ${K}) % ${K}`;
  const allowed =
    limit.allowed.kind === 'count'
      ? constant(limit.allowed.n)
      : // abs() keeps 0 valid periods at 0 allowed instead of ⌊−(100 − p)/100⌋ = −1.
        `floor(abs((${validCount} - 1) * ${(100 - limit.allowed.p) / 100}))`;
  const columns: Record<(typeof EXCEEDANCE_COLUMNS)[number], string> = {
    pollutant: constant(pollutantCode(limit.metric)),
    hours: constant(limit.averaging === '24h' ? 24 : 1),
    limit: constant(limit.value),
    allowed,
    so_far: `floor(${sum} / ${K * K})`,
    valid: validCount,
    periods: `${sum} % ${K}`,
    coverage: `100 * (${validCount}) / (${sum} % ${K})`,
  };
  const select = EXCEEDANCE_COLUMNS.map((c) => `${columns[c]} AS "${c}"`).join(', ');
  return `SELECT ${select} FROM (${periods})`;
}
