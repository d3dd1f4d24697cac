import { randomInt } from 'node:crypto';
import { Point } from '@influxdata/influxdb-client';
import { UcapError } from '../../domain/errors.ts';
import type { Reading, Rejection } from '../../domain/reading.ts';

/**
 * The InfluxDB schema. It is fixed: the Grafana dashboards (dashboards/influxql.ts) and anyone's
 * ad-hoc InfluxQL depend on these names.
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
 * Line protocol is built with @influxdata/influxdb-client's Point, which escapes measurement, tag
 * and field text. Two tag values line protocol cannot carry are mapped (only a malformed topic
 * can produce them, and the exact topic is kept in the `topic` field): an empty value is left
 * out and reads back as '', and a value ending in a backslash, which InfluxDB refuses as an
 * "invalid tag format", gets U+FFFD appended.
 */
export const READINGS = 'readings';
export const REJECTIONS = 'rejections';
export const VALUE_FIELD = 'value';
export const TIME_SOURCE_FIELD = 'time_source';
export const REJECTION_FIELDS = ['reason', 'topic', 'payload'] as const;

const NS_PER_MS = 1_000_000n;
const SEQUENCE_SPAN = 1_000_000;

export function readingLine(reading: Reading): string {
  requireEpochMs(reading.ts, 'reading time');
  if (!Number.isFinite(reading.value)) {
    throw unwritable(
      `value ${reading.value} of ${reading.deviceId}/${reading.metric} is not a finite number`,
    );
  }
  const point = new Point(READINGS)
    .tag('city', tagValue(reading.city))
    .tag('device', tagValue(reading.deviceId))
    .tag('metric', tagValue(reading.metric))
    .floatField(VALUE_FIELD, reading.value)
    // Always written: a rewrite of the same point must replace the flag, not keep an older one.
    .stringField(TIME_SOURCE_FIELD, reading.timeSource ?? 'device')
    .timestamp(String(reading.ts));
  return toLine(point);
}

/** Makes rejection lines; each call to the returned function takes the next sub-ms sequence number. */
export function createRejectionLines(start = randomInt(SEQUENCE_SPAN)): (rejection: Rejection) => string {
  let sequence = start % SEQUENCE_SPAN;
  return (rejection) => {
    requireEpochMs(rejection.receivedAt, 'rejection time');
    sequence = (sequence + 1) % SEQUENCE_SPAN;
    const ns = BigInt(rejection.receivedAt) * NS_PER_MS + BigInt(sequence);
    const point = new Point(REJECTIONS)
      .tag('city', tagValue(rejection.city))
      .tag('device', tagValue(rejection.deviceId))
      .tag('code', tagValue(rejection.code))
      .stringField('reason', rejection.reason)
      .stringField('topic', rejection.topic)
      .stringField('payload', rejection.payload)
      .timestamp(ns.toString());
    return toLine(point);
  };
}

function tagValue(text: string): string {
  return text.endsWith('\\') ? `${text}\uFFFD` : text;
}

function toLine(point: Point): string {
  const line = point.toLineProtocol();
  if (line === undefined) throw unwritable(`point ${point.toString()} has no fields`);
  return line;
}

function requireEpochMs(ms: number, what: string): void {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw unwritable(`${what} ${ms} is not a whole number of epoch milliseconds`);
  }
}

/** A batch that can never be written as it is: not retryable, the caller isolates the bad item. */
function unwritable(message: string): UcapError {
  return new UcapError('STORE_WRITE_FAILED', `cannot write to InfluxDB: ${message}`, { retryable: false });
}
