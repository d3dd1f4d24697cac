import mqtt, { type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Registry } from 'prom-client';
import { UcapError } from '../domain/errors.ts';
import { decodeRelayBatch, encodeRelayConfirmation } from '../domain/relay-batch.ts';
import { READINGS_SUBSCRIPTION, RELAY_CONFIRMATIONS_TOPIC, relayBatchesTopic } from '../domain/topics.ts';
import { type BackoffPolicy, backoffDelay } from '../platform/backoff.ts';
import type { Logger } from '../platform/logger.ts';
import { type AckAfterSafe, ackAfterSafe, DEFAULT_MAX_UNACKED } from './ack-after-safe.ts';
import { createIngestMetrics, type IngestMetrics } from './ingest-metrics.ts';
import type { PipelineStats, ReadingPipeline } from './reading-pipeline.ts';

/**
 * Where messages come from:
 * - `relay`: our gateway (GATEWAY_INGEST=relay) sends batches of device messages to this worker and
 *   holds each device's PUBACK until this worker confirms the batch durable;
 * - `subscribe`: any MQTT 3.1.1 broker (Mosquitto, a bridge): subscribe to `ucap/+/+/readings` with
 *   a persistent session and acknowledge each QoS 1 message once durable.
 */
export type IngestSource = 'relay' | 'subscribe';

export interface IngestOptions {
  readonly mqttUrl: string;
  readonly username: string;
  readonly password: string;
  /** Stable across restarts: the relay addresses this worker by it; a subscribing worker's session is kept under it. */
  readonly clientId: string;
  readonly source?: IngestSource;
  readonly pipeline: ReadingPipeline;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Delay between reconnect attempts (default 500 ms doubling to 30 s, jittered). */
  readonly reconnect?: Partial<BackoffPolicy>;
  /** `subscribe` source: messages taken in but not yet acknowledged (default DEFAULT_MAX_UNACKED). */
  readonly maxUnacked?: number;
  /** Clock for receive times (tests). */
  readonly now?: () => number;
}

export interface IngestStats extends PipelineStats {
  readonly connected: boolean;
}

export interface Ingest {
  /** Connects and subscribes; resolves once the subscription is granted (or stop() was called first). */
  start(): Promise<void>;
  /** Stops taking messages, drains the pipeline, confirms what is durable, disconnects. Closes the pipeline, not the store. */
  stop(): Promise<void>;
  stats(): IngestStats;
}

const DEFAULT_RECONNECT: BackoffPolicy = { initialDelayMs: 500, maxDelayMs: 30_000 };

export function createIngest(options: IngestOptions): Ingest {
  return new IngestWorker(options);
}

class IngestWorker implements Ingest {
  readonly #o: IngestOptions;
  readonly #source: IngestSource;
  readonly #log: Logger;
  readonly #metrics: IngestMetrics;
  readonly #reconnect: BackoffPolicy;
  /** Relay batches taken in whose confirmation is not sent yet. */
  readonly #relayed = new Set<Promise<void>>();
  #client: MqttClient | undefined;
  #acks: AckAfterSafe | undefined;
  #subscribed = false;
  #paused = false;
  #started: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: IngestOptions) {
    this.#o = options;
    this.#source = options.source ?? 'relay';
    this.#log = options.logger.child({ component: 'ingest' });
    this.#metrics = createIngestMetrics(options.metrics);
    this.#reconnect = { ...DEFAULT_RECONNECT, ...options.reconnect };
  }

  start(): Promise<void> {
    if (this.#client !== undefined)
      return Promise.reject(new Error('ingest was already started; build a new one'));
    const relay = this.#source === 'relay';
    const client = mqtt.connect(this.#o.mqttUrl, {
      protocolVersion: 4, // aedes speaks MQTT 3.1.1 only
      // The relay keeps nothing for an absent worker (the gateway re-sends unconfirmed batches to
      // whichever worker is there); a subscribing worker needs the broker to queue while it is away.
      clean: relay,
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
    if (relay) client.handleMessage = (packet, callback) => this.#takeBatch(client, packet, callback);
    else
      this.#acks = ackAfterSafe({
        client,
        admit: (packet) => this.#o.pipeline.admit(this.#messageOf(packet)),
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
    return { ...this.#o.pipeline.stats(), connected: this.#client?.connected ?? false };
  }

  async #shutDown(): Promise<void> {
    const client = this.#client;
    this.#settleStart();
    if (client === undefined) return;
    this.#paused = true;
    this.#acks?.pause();
    const pipelineClosed = this.#o.pipeline.close();
    await this.#acks?.admitted();
    await pipelineClosed;
    await Promise.all([this.#acks?.drain(), ...this.#relayed]);
    await client.endAsync(!client.connected);
    this.#metrics.connected.set(0);
    this.#log.info({ unacknowledged: this.#acks?.unacked() ?? 0 }, 'ingest stopped');
  }

  #messageOf(packet: IPublishPacket) {
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    return { topic: packet.topic, payload, receivedAt: (this.#o.now ?? Date.now)() };
  }

  /**
   * One relay batch: admit every message (waiting for room holds the socket: backpressure reaches
   * the gateway), release mqtt.js for the next packet, and confirm once every message is durable.
   */
  #takeBatch(client: MqttClient, packet: IPublishPacket, callback: (error?: Error) => void): void {
    if (this.#paused) {
      callback();
      return;
    }
    let batch: ReturnType<typeof decodeRelayBatch>;
    try {
      batch = decodeRelayBatch(packet.payload as Buffer);
    } catch (error) {
      this.#log.error({ topic: packet.topic, err: error }, 'relay batch unreadable; dropped unconfirmed');
      callback();
      return;
    }
    const stream = client.stream;
    const admitted = Promise.all(batch.messages.map((m) => this.#o.pipeline.admit(m)));
    const confirmed = admitted
      .then((all) => Promise.all(all.map((a) => a.safe)))
      .then(
        () => true,
        (error: unknown) => {
          this.#log.warn(
            { batch: batch.batchId, err: error },
            'relay batch not stored; the gateway re-sends it',
          );
          return false;
        },
      )
      .then((ok) => {
        // A confirmation on a newer connection would be for a batch the gateway already re-sent elsewhere.
        if (client.stream !== stream || !client.connected) return;
        client.publish(RELAY_CONFIRMATIONS_TOPIC, encodeRelayConfirmation({ batch: batch.batchId, ok }), {
          qos: 0,
        });
      });
    this.#relayed.add(confirmed);
    void confirmed.finally(() => this.#relayed.delete(confirmed));
    void admitted.then(
      () => callback(),
      () => callback(),
    );
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
      this.#log.info(
        { sessionPresent: connack.sessionPresent, source: this.#source },
        'connected to MQTT broker',
      );
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
    const topic = this.#source === 'relay' ? relayBatchesTopic(this.#o.clientId) : READINGS_SUBSCRIPTION;
    client.subscribe(topic, { qos: this.#source === 'relay' ? 0 : 1 }, (error, granted) => {
      const refused = error ?? (granted?.some((g) => g.qos === 128) ? new Error('SUBACK 0x80') : undefined);
      if (refused === undefined) {
        this.#subscribed = true;
        this.#log.info({ topic }, 'subscribed');
        this.#settleStart();
        return;
      }
      const problem = new UcapError(
        'CONFIG_INVALID',
        `the broker refused ingest's subscription to ${topic}; check that MQTT_SERVICE_USERNAME and MQTT_SERVICE_PASSWORD match the gateway's service account${this.#source === 'relay' ? ', that the gateway runs with GATEWAY_INGEST=relay and that INGEST_CLIENT_ID is a plain id (letters, digits, . _ -)' : ''}`,
        { cause: refused },
      );
      this.#log.error({ err: problem }, 'subscription refused');
      this.#settleStart(problem);
    });
  }
}
