import mqtt, { type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Registry } from 'prom-client';
import type { CityCatalog } from '../domain/cities.ts';
import { UcapError } from '../domain/errors.ts';
import type { PayloadFormat } from '../domain/payload-format.ts';
import { type Reading, type Rejection, toRejection } from '../domain/reading.ts';
import type { TimePolicy } from '../domain/timestamps.ts';
import { parseReadingsTopic, READINGS_SUBSCRIPTION } from '../domain/topics.ts';
import type { Logger } from '../platform/logger.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import { type AckAfterSafe, ackAfterSafe, DEFAULT_MAX_UNACKED } from './ack-after-safe.ts';
import { type BackoffPolicy, backoffDelay } from './backoff.ts';
import { type BatchOptions, type BatchWriter, createBatchWriter, isRetryable } from './batch-writer.ts';
import { decodeMessage, type MessageOutcome } from './decode-message.ts';
import type { DeviceMetaRecorder } from './device-meta-recorder.ts';
import { createIngestMetrics, type IngestMetrics } from './ingest-metrics.ts';
import { DEFAULT_REJECTIONS_PER_DEVICE_MINUTE, RejectionBudget } from './rejection-budget.ts';

export interface IngestOptions {
  readonly mqttUrl: string;
  readonly username: string;
  readonly password: string;
  /** Stable across restarts: with a persistent session the broker queues QoS 1 messages while ingest is away. */
  readonly clientId: string;
  readonly store: TimeSeriesStore;
  readonly formatOf: (deviceId: string) => Promise<PayloadFormat>;
  readonly cities: CityCatalog;
  readonly timePolicy: TimePolicy;
  readonly batch: BatchOptions;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Delay between reconnect attempts (default 500 ms doubling to 30 s, jittered). */
  readonly reconnect?: Partial<BackoffPolicy>;
  /** Messages taken in but not yet acknowledged (default DEFAULT_MAX_UNACKED). */
  readonly maxUnacked?: number;
  /** Where metadata reported in payloads is kept on the device (createDeviceMetaRecorder); ignored when absent. */
  readonly deviceMeta?: DeviceMetaRecorder;
  /** Rejections stored per device and minute; the rest are only counted (default 60). */
  readonly maxRejectionsPerDeviceMinute?: number;
  /** Clock for receive times (tests). */
  readonly now?: () => number;
}

export interface IngestStats {
  /** Readings written durably since start, by city. */
  readonly readingsByCity: Record<string, number>;
  /** Rejections written durably since start, by city ('_unknown' for cities outside the catalog). */
  readonly rejectionsByCity: Record<string, number>;
  /** Readings and rejections buffered or being written. */
  readonly buffered: number;
  readonly connected: boolean;
}

export interface Ingest {
  /** Connects and subscribes; resolves once the subscription is granted (or stop() was called first). */
  start(): Promise<void>;
  /** Stops taking messages, drains the writers, acknowledges what is durable, disconnects. Does not close the store. */
  stop(): Promise<void>;
  stats(): IngestStats;
}

const DEFAULT_RECONNECT: BackoffPolicy = { initialDelayMs: 500, maxDelayMs: 30_000 };
/** Label for cities outside the catalog: keeps metric label sets bounded whatever devices send. */
const UNKNOWN_CITY = '_unknown';

export function createIngest(options: IngestOptions): Ingest {
  return new IngestWorker(options);
}

class IngestWorker implements Ingest {
  readonly #o: IngestOptions;
  readonly #log: Logger;
  readonly #metrics: IngestMetrics;
  readonly #readings: BatchWriter<Reading>;
  readonly #rejections: BatchWriter<Rejection>;
  readonly #rejectionBudget: RejectionBudget;
  readonly #reconnect: BackoffPolicy;
  readonly #readingsByCity: Record<string, number> = {};
  readonly #rejectionsByCity: Record<string, number> = {};
  #client: MqttClient | undefined;
  #acks: AckAfterSafe | undefined;
  #subscribed = false;
  #started: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: IngestOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'ingest' });
    this.#metrics = createIngestMetrics(options.metrics);
    this.#reconnect = { ...DEFAULT_RECONNECT, ...options.reconnect };
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

  start(): Promise<void> {
    if (this.#client !== undefined)
      return Promise.reject(new Error('ingest was already started; build a new one'));
    const client = mqtt.connect(this.#o.mqttUrl, {
      protocolVersion: 4, // aedes speaks MQTT 3.1.1 only
      clean: false,
      clientId: this.#o.clientId,
      username: this.#o.username,
      password: this.#o.password,
      keepalive: 30,
      connectTimeout: 10_000,
      reconnectPeriod: this.#reconnect.initialDelayMs,
      reconnectOnConnackError: true,
      resubscribe: false,
      manualConnect: true,
    });
    this.#client = client;
    this.#acks = ackAfterSafe({
      client,
      admit: (packet) => this.#admit(packet),
      maxUnacked: this.#o.maxUnacked ?? DEFAULT_MAX_UNACKED,
      logger: this.#log,
    });
    this.#watchConnection(client);
    const started = new Promise<void>((resolve, reject) => {
      this.#started = { resolve, reject };
    });
    client.connect();
    return started;
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#shutDown();
    return this.#stopping;
  }

  stats(): IngestStats {
    return {
      readingsByCity: { ...this.#readingsByCity },
      rejectionsByCity: { ...this.#rejectionsByCity },
      buffered: this.#readings.buffered() + this.#rejections.buffered(),
      connected: this.#client?.connected ?? false,
    };
  }

  async #shutDown(): Promise<void> {
    const client = this.#client;
    const acks = this.#acks;
    this.#settleStart();
    if (client === undefined || acks === undefined) return;
    acks.pause();
    // Order matters: readings first, so a message whose readings the store refuses can still be
    // kept as a rejection before the rejections writer closes.
    const readingsClosed = this.#readings.close();
    await acks.admitted();
    await readingsClosed;
    await Promise.all([this.#rejections.close(), acks.drain(), this.#o.deviceMeta?.idle()]);
    await client.endAsync(!client.connected);
    this.#metrics.connected.set(0);
    this.#log.info({ unacknowledged: acks.unacked() }, 'ingest stopped');
  }

  #settleStart(error?: unknown): void {
    const started = this.#started;
    this.#started = undefined;
    if (started === undefined) return;
    if (error === undefined) started.resolve();
    else started.reject(error);
  }

  #watchConnection(client: MqttClient): void {
    let attempt = 0;
    let wasConnected = false;
    let lastError = '';
    client.on('connect', (connack) => {
      attempt = 0;
      wasConnected = true;
      lastError = '';
      client.options.reconnectPeriod = this.#reconnect.initialDelayMs;
      this.#metrics.connected.set(1);
      this.#log.info({ sessionPresent: connack.sessionPresent }, 'connected to MQTT broker');
      this.#subscribe(client, connack);
    });
    client.on('reconnect', () => {
      attempt += 1;
      client.options.reconnectPeriod = backoffDelay(attempt, this.#reconnect);
    });
    client.on('close', () => {
      if (!wasConnected) return;
      wasConnected = false;
      this.#metrics.connected.set(0);
      if (this.#stopping === undefined) this.#log.warn('disconnected from MQTT broker; reconnecting');
    });
    client.on('error', (error) => {
      if (error.message === lastError) return;
      lastError = error.message;
      this.#log.warn({ err: error }, 'MQTT connection problem');
    });
  }

  #subscribe(client: MqttClient, connack: IConnackPacket): void {
    // A resumed session keeps its subscription (and the messages queued for it).
    if (this.#subscribed && connack.sessionPresent) return;
    client.subscribe(READINGS_SUBSCRIPTION, { qos: 1 }, (error, granted) => {
      const refused = error ?? (granted?.some((g) => g.qos === 128) ? new Error('SUBACK 0x80') : undefined);
      if (refused === undefined) {
        this.#subscribed = true;
        this.#log.info({ topic: READINGS_SUBSCRIPTION }, 'subscribed');
        this.#settleStart();
        return;
      }
      const problem = new UcapError(
        'CONFIG_INVALID',
        `the broker refused ingest's subscription to ${READINGS_SUBSCRIPTION}; check that MQTT_SERVICE_USERNAME and MQTT_SERVICE_PASSWORD match the gateway's service account`,
        { cause: refused },
      );
      this.#log.error({ err: problem }, 'subscription refused');
      this.#settleStart(problem);
    });
  }

  async #admit(packet: IPublishPacket): Promise<{ safe: Promise<void> }> {
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const message = { topic: packet.topic, payload, receivedAt: (this.#o.now ?? Date.now)() };
    let outcome: MessageOutcome;
    try {
      outcome = await decodeMessage(message, this.#o);
    } catch (error) {
      this.#log.error(
        { topic: packet.topic, err: error },
        'cannot look up the device; message left for redelivery',
      );
      throw error;
    }
    if (outcome.kind === 'rejection') return this.#keepRejection(outcome.rejection);
    const deviceId = parseReadingsTopic(packet.topic)?.deviceId;
    if (outcome.meta !== undefined && deviceId !== undefined)
      this.#o.deviceMeta?.record(deviceId, outcome.meta);
    const { durable } = await this.#readings.enqueue(outcome.readings);
    const safe = durable.then(
      () => this.#countReadings(outcome.city, outcome.readings.length),
      (error: unknown) => this.#quarantine(error, message, outcome.city),
    );
    return { safe };
  }

  async #keepRejection(rejection: Rejection): Promise<{ safe: Promise<void> }> {
    if (!this.#rejectionBudget.admit(rejection.deviceId)) {
      this.#metrics.rejectionsDropped.inc({ code: rejection.code });
      return { safe: Promise.resolve() };
    }
    const { durable } = await this.#rejections.enqueue([rejection]);
    return { safe: durable.then(() => this.#countRejection(rejection)) };
  }

  /**
   * Readings the store refuses permanently would be refused again on every redelivery: the message
   * is kept as a STORE_WRITE_FAILED rejection (payload included, visible in the API) and then
   * acknowledged. Retryable failures (store down at shutdown) stay unacknowledged for redelivery.
   */
  async #quarantine(
    error: unknown,
    message: { topic: string; payload: Uint8Array; receivedAt: number },
    city: string,
  ): Promise<void> {
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

  #countReadings(city: string, count: number): void {
    this.#readingsByCity[city] = (this.#readingsByCity[city] ?? 0) + count;
    this.#metrics.readings.inc({ city }, count);
  }

  #countRejection(rejection: Rejection): void {
    const city = this.#o.cities.has(rejection.city) ? rejection.city : UNKNOWN_CITY;
    this.#rejectionsByCity[city] = (this.#rejectionsByCity[city] ?? 0) + 1;
    this.#metrics.rejections.inc({ city, code: rejection.code });
  }
}
