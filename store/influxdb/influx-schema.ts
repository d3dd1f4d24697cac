import { randomInt } from 'node:crypto';
import { UcapError } from '../../domain/errors.ts';
import type { Reading, Rejection } from '../../domain/reading.ts';

/**
 * The InfluxDB schema, and the one place that quotes and escapes for it. The store, the Grafana
 * dashboards' InfluxQL (dashboards/influxql.ts), the index-series writer and the tests' seeding all
 * take names and quoting from here; anyone's ad-hoc InfluxQL depends on these names too.
 *
 *   readings    tags   city, device, metric
 *               fields value (float, in the metric's canonical unit)
 *                      time_source (string, 'device' or 'receive': Reading.timeSource; a field, not
 *                      a tag, so it adds no series; points written before it existed have none
 *                      and read back as 'device')
 *               time   written with precision=ms: one series per (city, device, metric), so writing
 *                      the same (city, device, metric, ts) again replaces the value (QoS 1 redelivery)
 *
 *   rejections  tags   city, device, code
 *               fields reason, topic, payload (strings, kept byte for byte)
 *               time   written with precision=ns: receivedAt ms × 10^6 plus a per-process sequence
 *                      in the six sub-ms digits, so two rejections of one device with the same code
 *                      in the same millisecond never overwrite each other. Queries ask for
 *                      epoch=ms, which truncates the sequence away again.
 *
 *   aqi         tags   city, scope ('city': the city mean, as /v1/aqi computes it; 'device'),
 *                      device (absent for scope 'city'), standard (eaqi, hj633, epa), every (1h, 1d)
 *               fields value (float: AQI, or EAQI level number), level (float, 1 = best),
 *                      version, primary (comma-separated measures), incomplete (bool),
 *                      si_<measure> (float: each computed sub-index, e.g. si_pm25, si_o3_8h),
 *                      detail (string: the whole result as JSON, store/index-detail.ts, which
 *                      /v1/aqi shows); value and level are absent when the standard gives no
 *                      overall value (a point with only notComputed sub-indices)
 *               time   start of the hour or of the local day, precision=ms. Written by the
 *                      index-series maintainer (aqi/), which deletes and rewrites the hours and days
 *                      it recomputes, so a sub-index that disappears does not linger.
 *
 *   aqi_coverage  tags   city, standard, every
 *               fields to (integer, epoch ms: end of the local day), computed_at (integer, epoch ms),
 *                      revision (string: fingerprint of the index code, aqi/index-revision.ts)
 *               time   start of the local day: when the maintainer last computed that day's hours or
 *                      day. /v1/aqi trusts a stored period only if it had ended by computed_at.
 *
 * Line protocol is built here as text, with the escaping rules of the InfluxDB line protocol (the
 * same output as @influxdata/influxdb-client's Point, byte for byte, without an object per point).
 * Two tag values line protocol cannot carry are mapped (only a malformed topic can produce them,
 * and the exact topic is kept in the `topic` field): an empty value is left out and reads back as
 * '', and a value ending in a backslash, which InfluxDB refuses as an "invalid tag format", gets
 * U+FFFD appended.
 */
export const READINGS = 'readings';
export const REJECTIONS = 'rejections';
export const READING_TAGS = { city: 'city', device: 'device', metric: 'metric' } as const;
export const REJECTION_TAGS = { city: 'city', device: 'device', code: 'code' } as const;
export const VALUE_FIELD = 'value';
export const TIME_SOURCE_FIELD = 'time_source';
export const REJECTION_FIELDS = ['reason', 'topic', 'payload'] as const;
export const AQI = 'aqi';
export const AQI_TAGS = {
  city: 'city',
  scope: 'scope',
  device: 'device',
  standard: 'standard',
  every: 'every',
} as const;
export const AQI_FIELDS = {
  value: 'value',
  level: 'level',
  version: 'version',
  primary: 'primary',
  incomplete: 'incomplete',
  detail: 'detail',
} as const;
export const AQI_COVERAGE = 'aqi_coverage';
export const AQI_COVERAGE_TAGS = { city: 'city', standard: 'standard', every: 'every' } as const;
export const AQI_COVERAGE_FIELDS = { to: 'to', computedAt: 'computed_at', revision: 'revision' } as const;
/** Field of one sub-index: si_pm25, si_o3_8h, … */
export function subIndexField(measure: string): string {
  return `si_${measure}`;
}

// ---- InfluxQL quoting -------------------------------------------------------------------------

// InfluxQL's scanner knows exactly four escapes in quoted text (\\ \' \" \n) and ends a string at a
// raw newline, so those are the characters to escape.
function escapeQuoted(text: string): string {
  return text.replace(/[\\'"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** An InfluxQL string literal: 'it\'s'. */
export function quoteString(text: string): string {
  return `'${escapeQuoted(text)}'`;
}

/** An InfluxQL quoted identifier (database, measurement, tag or field name): "my \"db\"". */
export function quoteIdent(name: string): string {
  return `"${escapeQuoted(name)}"`;
}

// ---- Line protocol escaping ---------------------------------------------------------------------

const MEASUREMENT_ESCAPES: Readonly<Record<string, string>> = {
  ',': '\\,',
  ' ': '\\ ',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};
const TAG_ESCAPES: Readonly<Record<string, string>> = { ...MEASUREMENT_ESCAPES, '=': '\\=' };

/** A measurement name in line protocol: commas, spaces and line breaks escaped. */
export function escapeMeasurement(name: string): string {
  return /[, \n\r\t]/.test(name) ? name.replace(/[, \n\r\t]/g, (c) => MEASUREMENT_ESCAPES[c] ?? c) : name;
}

/** A tag key, tag value or field key in line protocol: also '=' escaped. */
export function escapeTag(text: string): string {
  return /[,= \n\r\t]/.test(text) ? text.replace(/[,= \n\r\t]/g, (c) => TAG_ESCAPES[c] ?? c) : text;
}

/** A string field value in line protocol: double-quoted, with '"' and '\' escaped. */
export function quoteFieldString(text: string): string {
  return `"${/["\\]/.test(text) ? text.replace(/["\\]/g, (c) => `\\${c}`) : text}"`;
}

/** `,key=value` for a tag, or '' when the value is empty (line protocol cannot carry it). */
export function tagPair(key: string, value: string): string {
  if (value === '') return '';
  const safe = value.endsWith('\\') ? `${value}\uFFFD` : value;
  return `,${escapeTag(key)}=${escapeTag(safe)}`;
}

// Precomputed prefixes: the names never change.
const READINGS_PREFIX = escapeMeasurement(READINGS);
const REJECTIONS_PREFIX = escapeMeasurement(REJECTIONS);
const TIME_SOURCE_KEY = `${escapeTag(TIME_SOURCE_FIELD)}=`;
const VALUE_KEY = `,${escapeTag(VALUE_FIELD)}=`;

const NS_PER_MS = 1_000_000n;
const SEQUENCE_SPAN = 1_000_000;

/** One reading as a line: tags and fields in key order, as InfluxDB stores them. */
export function readingLine(reading: Reading): string {
  requireEpochMs(reading.ts, 'reading time');
  if (!Number.isFinite(reading.value)) {
    throw unwritable(
      `value ${reading.value} of ${reading.deviceId}/${reading.metric} is not a finite number`,
    );
  }
  const tags =
    tagPair(READING_TAGS.city, reading.city) +
    tagPair(READING_TAGS.device, reading.deviceId) +
    tagPair(READING_TAGS.metric, reading.metric);
  // time_source is always written: a rewrite of the same point must replace the flag, not keep an older one.
  const timeSource = reading.timeSource ?? 'device';
  return `${READINGS_PREFIX}${tags} ${TIME_SOURCE_KEY}${quoteFieldString(timeSource)}${VALUE_KEY}${String(reading.value)} ${reading.ts}`;
}

/** Makes rejection lines; each call to the returned function takes the next sub-ms sequence number. */
export function createRejectionLines(start = randomInt(SEQUENCE_SPAN)): (rejection: Rejection) => string {
  let sequence = start % SEQUENCE_SPAN;
  return (rejection) => {
    requireEpochMs(rejection.receivedAt, 'rejection time');
    sequence = (sequence + 1) % SEQUENCE_SPAN;
    const ns = BigInt(rejection.receivedAt) * NS_PER_MS + BigInt(sequence);
    const tags =
      tagPair(REJECTION_TAGS.city, rejection.city) +
      tagPair(REJECTION_TAGS.code, rejection.code) +
      tagPair(REJECTION_TAGS.device, rejection.deviceId);
    // Fields in key order: payload, reason, topic.
    const fields = `payload=${quoteFieldString(rejection.payload)},reason=${quoteFieldString(rejection.reason)},topic=${quoteFieldString(rejection.topic)}`;
    return `${REJECTIONS_PREFIX}${tags} ${fields} ${ns}`;
  };
}

function requireEpochMs(ms: number, what: string): void {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw unwritable(`${what} ${ms} is not a whole number of epoch milliseconds`);
  }
}

/** A batch that can never be written as it is: not retryable, the caller isolates the bad item. */
export function unwritable(message: string): UcapError {
  return new UcapError('STORE_WRITE_FAILED', `cannot write to InfluxDB: ${message}`, { retryable: false });
}
