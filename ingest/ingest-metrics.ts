import { Counter, Gauge, Histogram, type Metric, type Registry } from 'prom-client';
import type { BatchWriterMetrics } from './batch-writer.ts';

export type WriterKind = 'readings' | 'rejections';

export interface IngestMetrics {
  readonly readings: Counter<'city'>;
  /** Readings stored again with the same (device, metric, ts): resent after a lost acknowledgement. */
  readonly duplicates: Counter<'city'>;
  /** Readings older than the newest one already stored for their device. */
  readonly late: Counter<'city'>;
  readonly rejections: Counter<'city' | 'code'>;
  readonly rejectionsDropped: Counter<'code'>;
  readonly connected: Gauge;
  forWriter(kind: WriterKind): BatchWriterMetrics;
}

/**
 * Ingest's Prometheus metrics. Registered once per registry: an ingest rebuilt in the same process
 * (tests, the all-in-one app restarting it) reuses the existing metrics instead of failing.
 */
export function createIngestMetrics(registry: Registry): IngestMetrics {
  const get = <M extends Metric>(
    name: string,
    make: () => M,
    type: abstract new (...args: never[]) => M,
  ): M => {
    const existing = registry.getSingleMetric(name);
    return existing instanceof type ? existing : make();
  };
  const registers = [registry];
  const readings = get(
    'ucap_ingest_readings_total',
    () =>
      new Counter({
        name: 'ucap_ingest_readings_total',
        help: 'Readings stored durably',
        labelNames: ['city'],
        registers,
      }),
    Counter<'city'>,
  );
  const rejections = get(
    'ucap_ingest_rejections_total',
    () =>
      new Counter({
        name: 'ucap_ingest_rejections_total',
        help: 'Messages refused and kept as rejections, by the code of their first problem',
        labelNames: ['city', 'code'],
        registers,
      }),
    Counter<'city' | 'code'>,
  );
  const duplicates = get(
    'ucap_ingest_duplicate_readings_total',
    () =>
      new Counter({
        name: 'ucap_ingest_duplicate_readings_total',
        help: 'Readings received again (same device, metric and time: a resend or redelivery); stored once',
        labelNames: ['city'],
        registers,
      }),
    Counter<'city'>,
  );
  const late = get(
    'ucap_ingest_late_readings_total',
    () =>
      new Counter({
        name: 'ucap_ingest_late_readings_total',
        help: 'Readings older than the newest reading already stored for their device',
        labelNames: ['city'],
        registers,
      }),
    Counter<'city'>,
  );
  const rejectionsDropped = get(
    'ucap_ingest_rejections_dropped_total',
    () =>
      new Counter({
        name: 'ucap_ingest_rejections_dropped_total',
        help: 'Rejections counted but not stored: the device was over INGEST_MAX_REJECTIONS_PER_DEVICE_MINUTE',
        labelNames: ['code'],
        registers,
      }),
    Counter<'code'>,
  );
  const writeSeconds = get(
    'ucap_ingest_batch_write_seconds',
    () =>
      new Histogram({
        name: 'ucap_ingest_batch_write_seconds',
        help: 'Duration of successful batch writes to the store',
        labelNames: ['kind'],
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers,
      }),
    Histogram<'kind'>,
  );
  const buffered = get(
    'ucap_ingest_buffered_items',
    () =>
      new Gauge({
        name: 'ucap_ingest_buffered_items',
        help: 'Items waiting in the batch buffer or being written',
        labelNames: ['kind'],
        registers,
      }),
    Gauge<'kind'>,
  );
  const retries = get(
    'ucap_ingest_write_retries_total',
    () =>
      new Counter({
        name: 'ucap_ingest_write_retries_total',
        help: 'Store writes retried after a retryable error',
        labelNames: ['kind'],
        registers,
      }),
    Counter<'kind'>,
  );
  const backpressure = get(
    'ucap_ingest_backpressure_total',
    () =>
      new Counter({
        name: 'ucap_ingest_backpressure_total',
        help: 'Adds that had to wait because the buffer was full (messages held at the broker meanwhile)',
        labelNames: ['kind'],
        registers,
      }),
    Counter<'kind'>,
  );
  const failed = get(
    'ucap_ingest_write_failures_total',
    () =>
      new Counter({
        name: 'ucap_ingest_write_failures_total',
        help: 'Items the store refused with a non-retryable error',
        labelNames: ['kind'],
        registers,
      }),
    Counter<'kind'>,
  );
  const connected = get(
    'ucap_ingest_mqtt_connected',
    () =>
      new Gauge({
        name: 'ucap_ingest_mqtt_connected',
        help: '1 while ingest is connected to the MQTT broker',
        registers,
      }),
    Gauge,
  );
  return {
    readings,
    duplicates,
    late,
    rejections,
    rejectionsDropped,
    connected,
    forWriter: (kind) => ({
      writeSeconds: (s) => writeSeconds.observe({ kind }, s),
      retried: () => retries.inc({ kind }),
      buffered: (n) => buffered.set({ kind }, n),
      backpressured: () => backpressure.inc({ kind }),
      failed: (n) => failed.inc({ kind }, n),
    }),
  };
}
