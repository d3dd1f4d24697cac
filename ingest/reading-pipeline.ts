import type { Registry } from 'prom-client';
import type { CityCatalog } from '../domain/cities.ts';
import { isRetryable } from '../domain/errors.ts';
import type { PayloadFormat } from '../domain/payload-format.ts';
import { type Reading, type Rejection, toRejection } from '../domain/reading.ts';
import type { TimePolicy } from '../domain/timestamps.ts';
import { parseReadingsTopic } from '../domain/topics.ts';
import type { Logger } from '../platform/logger.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import { ArrivalTracker } from './arrival-tracker.ts';
import { type BatchOptions, type BatchWriter, createBatchWriter } from './batch-writer.ts';
import { decodeMessage, type IncomingMessage, type MessageOutcome } from './decode-message.ts';
import type { DeviceMetaRecorder } from './device-meta-recorder.ts';
import { createIngestMetrics, type IngestMetrics } from './ingest-metrics.ts';
import { DEFAULT_REJECTIONS_PER_DEVICE_MINUTE, RejectionBudget } from './rejection-budget.ts';

export type { IncomingMessage } from './decode-message.ts';

export interface ReadingPipelineOptions {
  readonly store: TimeSeriesStore;
  readonly formatOf: (deviceId: string) => Promise<PayloadFormat>;
  readonly cities: CityCatalog;
  readonly timePolicy: TimePolicy;
  readonly batch: BatchOptions;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Where metadata reported in payloads is kept on the device; ignored when absent. */
  readonly deviceMeta?: DeviceMetaRecorder;
  /** Rejections stored per device and minute; the rest are only counted (default 60). */
  readonly maxRejectionsPerDeviceMinute?: number;
  /** Clock for the rejection budget (tests). */
  readonly now?: () => number;
}

export interface PipelineStats {
  /** Readings written durably since start, by city. */
  readonly readingsByCity: Record<string, number>;
  /** Rejections written durably since start, by city ('_unknown' for cities outside the catalog). */
  readonly rejectionsByCity: Record<string, number>;
  /** Readings and rejections buffered or being written. */
  readonly buffered: number;
}

/** What every way into the store (the gateway's own intake, the relay, an MQTT subscription) hands messages to. */
export interface MessageSink {
  /**
   * Takes one message in. Resolves once it is admitted (after waiting for room: backpressure), with
   * `safe`, which resolves once its readings — or its rejection — are durable, and rejects when they
   * will not be (the message must then stay unacknowledged, so the sender sends it again).
   */
  admit(message: IncomingMessage): Promise<{ readonly safe: Promise<void> }>;
}

export interface ReadingPipeline extends MessageSink {
  /** Writes everything admitted so far and refuses further messages; resolves once all is settled. */
  close(): Promise<void>;
  stats(): PipelineStats;
  /** Resolves when the store answers and takes writes; for /readyz. */
  ping(): Promise<void>;
}

/** Label for cities outside the catalog: keeps metric label sets bounded whatever devices send. */
const UNKNOWN_CITY = '_unknown';

/**
 * Decode, validate and store: one message in, its readings (or its rejection) durable out. Knows
 * nothing of MQTT, so the gateway and the standalone ingest worker run the very same code.
 */
export function createReadingPipeline(options: ReadingPipelineOptions): ReadingPipeline {
  return new Pipeline(options);
}

class Pipeline implements ReadingPipeline {
  readonly #o: ReadingPipelineOptions;
  readonly #log: Logger;
  readonly #metrics: IngestMetrics;
  readonly #readings: BatchWriter<Reading>;
  readonly #rejections: BatchWriter<Rejection>;
  readonly #arrivals = new ArrivalTracker();
  readonly #rejectionBudget: RejectionBudget;
  readonly #readingsByCity: Record<string, number> = {};
  readonly #rejectionsByCity: Record<string, number> = {};
  #closing: Promise<void> | undefined;

  constructor(options: ReadingPipelineOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'ingest' });
    this.#metrics = createIngestMetrics(options.metrics);
    this.#rejectionBudget = new RejectionBudget(
      options.maxRejectionsPerDeviceMinute ?? DEFAULT_REJECTIONS_PER_DEVICE_MINUTE,
      options.now ? { now: options.now } : {},
    );
    const common = { batch: options.batch, logger: this.#log };
    this.#readings = createBatchWriter<Reading>({
      ...common,
      name: 'readings',
      write: (items) => options.store.writeReadings(items),
      metrics: this.#metrics.forWriter('readings'),
    });
    this.#rejections = createBatchWriter<Rejection>({
      ...common,
      name: 'rejections',
      write: (items) => options.store.writeRejections(items),
      metrics: this.#metrics.forWriter('rejections'),
    });
  }

  stats(): PipelineStats {
    return {
      readingsByCity: { ...this.#readingsByCity },
      rejectionsByCity: { ...this.#rejectionsByCity },
      buffered: this.#readings.buffered() + this.#rejections.buffered(),
    };
  }

  async ping(): Promise<void> {
    // A store can answer queries and still refuse writes (a full disk): readiness needs both.
    const failing = this.#readings.failing() ?? this.#rejections.failing();
    if (failing !== undefined)
      throw new Error(
        `store writes are failing and being retried (readings held unacknowledged): ${failing}`,
      );
    await this.#o.store.ping();
  }

  close(): Promise<void> {
    // Readings first, so a message whose readings the store refuses can still be kept as a
    // rejection before the rejections writer closes.
    this.#closing ??= (async () => {
      await this.#readings.close();
      await Promise.all([this.#rejections.close(), this.#o.deviceMeta?.idle()]);
    })();
    return this.#closing;
  }

  async admit(message: IncomingMessage): Promise<{ safe: Promise<void> }> {
    let outcome: MessageOutcome;
    try {
      outcome = await decodeMessage(message, this.#o);
    } catch (error) {
      this.#log.error(
        { topic: message.topic, err: error },
        'cannot look up the device; message left for redelivery',
      );
      throw error;
    }
    if (outcome.kind === 'rejection') {
      // A device sending only garbage would fill the disk: past its budget a rejection is counted, not kept.
      if (!this.#rejectionBudget.admit(outcome.rejection.deviceId)) {
        this.#metrics.rejectionsDropped.inc({ code: outcome.rejection.code });
        return { safe: Promise.resolve() };
      }
      return this.#keepRejection(outcome.rejection);
    }
    const deviceId = parseReadingsTopic(message.topic)?.deviceId;
    if (outcome.meta !== undefined && deviceId !== undefined)
      this.#o.deviceMeta?.record(deviceId, outcome.meta);
    const { readings, city } = outcome;
    const { durable } = await this.#readings.enqueue(readings);
    const safe = durable.then(
      () => this.#countReadings(city, readings),
      (error: unknown) => this.#quarantine(error, message, city),
    );
    return { safe };
  }

  async #keepRejection(rejection: Rejection): Promise<{ safe: Promise<void> }> {
    const { durable } = await this.#rejections.enqueue([rejection]);
    return { safe: durable.then(() => this.#countRejection(rejection)) };
  }

  /**
   * Readings the store refuses permanently would be refused again on every redelivery: the message
   * is kept as a STORE_WRITE_FAILED rejection (payload included, visible in the API) and then
   * acknowledged. Retryable failures (store down at shutdown) stay unacknowledged for redelivery.
   */
  async #quarantine(error: unknown, message: IncomingMessage, city: string): Promise<void> {
    if (isRetryable(error)) throw error;
    const deviceId = message.topic.split('/')[2] ?? '';
    const detail = error instanceof Error ? error.message : String(error);
    const problem = {
      code: 'STORE_WRITE_FAILED' as const,
      message: `the store refused the readings (${detail})`,
    };
    const rejection = toRejection([problem], { ...message, city, deviceId });
    const { safe } = await this.#keepRejection(rejection);
    await safe;
  }

  #countReadings(city: string, readings: readonly Reading[]): void {
    this.#readingsByCity[city] = (this.#readingsByCity[city] ?? 0) + readings.length;
    this.#metrics.readings.inc({ city }, readings.length);
    const { duplicates, late } = this.#arrivals.observe(readings);
    if (duplicates > 0) this.#metrics.duplicates.inc({ city }, duplicates);
    if (late > 0) this.#metrics.late.inc({ city }, late);
  }

  #countRejection(rejection: Rejection): void {
    const city = this.#o.cities.has(rejection.city) ? rejection.city : UNKNOWN_CITY;
    this.#rejectionsByCity[city] = (this.#rejectionsByCity[city] ?? 0) + 1;
    this.#metrics.rejections.inc({ city, code: rejection.code });
  }
}
