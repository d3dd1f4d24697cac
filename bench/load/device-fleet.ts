import mqtt, { type MqttClient } from 'mqtt';
import type { DeviceCredentials } from '../../devices/device.ts';
import { readingsTopic } from '../../domain/topics.ts';
import { mapBounded } from './map-bounded.ts';
import { type ProvisionOptions, provisionDevices } from './provision-devices.ts';
import { SeqSet } from './seq-set.ts';

/**
 * A fleet of devices, each on its own mqtt.js connection with its own credentials, publishing
 * native readings at a controlled total rate, and counting per device what was sent and what the
 * gateway acknowledged. Shared by the load bench and the delivery tests (no test-runner imports).
 *
 * Message `seq` of a device (0, 1, 2, …) carries `ts = firstTs + seq`: unique and strictly
 * increasing per device, so an acknowledged set of seqs names exactly the readings that must be
 * stored. QoS 1 messages carry pm25, pm10, no2 and temperature; QoS 0 messages leave pm25 out,
 * so a device's stored pm25 count counts exactly its stored QoS 1 messages.
 */

export interface FleetConnectOptions {
  readonly mqttUrl: string;
  readonly devices: readonly DeviceCredentials[];
  /** Connections opened at once (each costs the gateway one scrypt check; default 25). */
  readonly connectConcurrency?: number;
  readonly connectTimeoutMs?: number;
  /** mqtt.js waits this long before reconnecting after the gateway went away (default 500 ms). */
  readonly reconnectPeriodMs?: number;
  /** ts of every device's seq 0 (default: now, whole second). */
  readonly firstTs?: number;
}

export interface DeviceTally {
  readonly id: string;
  readonly city: string;
  /** QoS 1 messages handed to mqtt.js. */
  sentQos1: number;
  sentQos0: number;
  /** QoS 1 messages whose publish callback succeeded (the gateway's PUBACK arrived). */
  acked: number;
  /** QoS 1 messages whose publish callback failed (the client was ended with them in flight). */
  failed: number;
  /** seqs of the acknowledged QoS 1 messages. */
  readonly ackedSeqs: SeqSet;
  /** Next seq to publish (= messages of either QoS sent so far). */
  nextSeq: number;
  /** Accumulates the QoS 0 share per message; a whole unit makes the next message QoS 0. */
  qos0Credit: number;
}

export interface FleetTotals {
  readonly devices: number;
  readonly sentQos1: number;
  readonly sentQos0: number;
  readonly acked: number;
  readonly failed: number;
  /** QoS 1 messages sent but not yet settled (neither acknowledged nor failed). */
  readonly inFlight: number;
  /** Devices whose connection is up right now. */
  readonly connected: number;
  /** Times a device connection went offline after having been up. */
  readonly disconnects: number;
}

export interface PublishRun {
  /** Total messages per second over all devices, spread evenly (round-robin). */
  readonly rate: number;
  readonly durationMs: number;
  /** Share of messages sent at QoS 0 (0..1, default 0). */
  readonly qos0Share?: number;
  /** Called for every message handed to mqtt.js (e.g. to sample publish→queryable latency). */
  readonly onPublish?: (device: DeviceTally, ts: number, qos: 0 | 1, at: number) => void;
  /** Stops publishing early (e.g. a fault test ending the load); resolves with what was sent. */
  readonly signal?: AbortSignal;
}

export interface PublishOutcome {
  readonly published: number;
  /** Messages the pacer dropped because the process fell more than 1 s behind schedule. */
  readonly skipped: number;
  readonly startedAt: number;
  readonly endedAt: number;
  /** Messages per second actually handed to mqtt.js. */
  readonly offeredRate: number;
}

/** Pacer tick: every 10 ms the messages due since the last tick go out together. */
const TICK_MS = 10;
/** The pacer catches up at most this far (a starved event loop); beyond it the deficit is skipped and reported. */
const MAX_CATCH_UP_MS = 1000;

interface FleetDevice {
  readonly tally: DeviceTally;
  readonly topic: string;
  readonly client: MqttClient;
}

export class DeviceFleet {
  readonly firstTs: number;
  readonly #devices: FleetDevice[];
  #cursor = 0;
  #disconnects = 0;
  /** publish() → PUBACK of each QoS 1 message acknowledged since the last takeAckLatencies(), ms. */
  #ackLatencies: number[] = [];

  private constructor(devices: FleetDevice[], firstTs: number) {
    this.#devices = devices;
    this.firstTs = firstTs;
  }

  /** Registers `count` devices in the registry the gateway reads, then connects them all. */
  static async provisionAndConnect(
    provision: ProvisionOptions,
    connect: Omit<FleetConnectOptions, 'devices'>,
  ): Promise<DeviceFleet> {
    const devices = await provisionDevices(provision);
    return DeviceFleet.connect({ ...connect, devices });
  }

  /**
   * One connection per device: MQTT 3.1.1, clean session off, client id = device id. mqtt.js
   * reconnects by itself and resends what the gateway has not acknowledged.
   */
  static async connect(options: FleetConnectOptions): Promise<DeviceFleet> {
    const firstTs = options.firstTs ?? Math.floor(Date.now() / 1000) * 1000;
    const fleet = new DeviceFleet([], firstTs);
    try {
      await mapBounded(options.devices, options.connectConcurrency ?? 25, async (credentials) => {
        fleet.#devices.push(await fleet.#connectOne(options, credentials));
      });
    } catch (error) {
      await fleet.close();
      throw error;
    }
    // Connections finish in any order; keep the devices in registration order.
    const order = new Map(options.devices.map((d, i) => [d.id, i]));
    fleet.#devices.sort((a, b) => (order.get(a.tally.id) ?? 0) - (order.get(b.tally.id) ?? 0));
    return fleet;
  }

  async #connectOne(options: FleetConnectOptions, credentials: DeviceCredentials): Promise<FleetDevice> {
    const client = mqtt.connect(options.mqttUrl, {
      protocolVersion: 4,
      clientId: credentials.id,
      username: credentials.username,
      password: credentials.password,
      clean: false,
      keepalive: 30,
      reconnectPeriod: options.reconnectPeriodMs ?? 500,
      connectTimeout: options.connectTimeoutMs ?? 30_000,
    });
    // Errors after the first connection (e.g. the gateway restarting) are retried by mqtt.js;
    // a listener must exist or the emitter throws.
    client.on('error', () => {});
    // mqtt.js retries a refused or timed-out connection by itself; give up after the timeout.
    const timeoutMs = options.connectTimeoutMs ?? 30_000;
    await new Promise<void>((resolve, reject) => {
      const fail = (reason: string) => {
        clearTimeout(timer);
        client.removeListener('connect', onConnect);
        client.end(true);
        reject(new Error(`device ${credentials.id} could not connect to ${options.mqttUrl}: ${reason}`));
      };
      const onError = (error: Error) => fail(error.message);
      const onConnect = () => {
        clearTimeout(timer);
        client.removeListener('error', onError);
        resolve();
      };
      const timer = setTimeout(() => fail(`no CONNACK within ${timeoutMs} ms`), timeoutMs);
      client.once('connect', onConnect);
      client.once('error', onError);
    });
    client.on('offline', () => {
      this.#disconnects += 1;
    });
    const tally: DeviceTally = {
      id: credentials.id,
      city: credentials.city,
      sentQos1: 0,
      sentQos0: 0,
      acked: 0,
      failed: 0,
      ackedSeqs: new SeqSet(),
      nextSeq: 0,
      qos0Credit: 0,
    };
    return { tally, topic: readingsTopic(credentials.city, credentials.id), client };
  }

  get size(): number {
    return this.#devices.length;
  }

  tallies(): readonly DeviceTally[] {
    return this.#devices.map((d) => d.tally);
  }

  tsOf(seq: number): number {
    return this.firstTs + seq;
  }

  totals(): FleetTotals {
    let sentQos1 = 0;
    let sentQos0 = 0;
    let acked = 0;
    let failed = 0;
    let connected = 0;
    for (const { tally, client } of this.#devices) {
      sentQos1 += tally.sentQos1;
      sentQos0 += tally.sentQos0;
      acked += tally.acked;
      failed += tally.failed;
      if (client.connected) connected += 1;
    }
    return {
      devices: this.#devices.length,
      sentQos1,
      sentQos0,
      acked,
      failed,
      inFlight: sentQos1 - acked - failed,
      connected,
      disconnects: this.#disconnects,
    };
  }

  /**
   * What devices waited for their PUBACKs (publish() → callback, ms) since the last call: the
   * latency a device sees, client-side queueing included.
   */
  takeAckLatencies(): number[] {
    const taken = this.#ackLatencies;
    this.#ackLatencies = [];
    return taken;
  }

  /** Publishes `count` messages now, round-robin over the devices. */
  publishNow(count: number, run: Pick<PublishRun, 'qos0Share' | 'onPublish'> = {}): void {
    const share = run.qos0Share ?? 0;
    const at = performance.now();
    for (let i = 0; i < count; i++) {
      const device = this.#devices[this.#cursor] as FleetDevice;
      this.#cursor = (this.#cursor + 1) % this.#devices.length;
      // Per device, so every device mixes in its share of QoS 0 whatever the fleet size.
      device.tally.qos0Credit += share;
      const qos = device.tally.qos0Credit >= 1 ? 0 : 1;
      if (qos === 0) device.tally.qos0Credit -= 1;
      const ts = this.#publishOne(device, qos);
      run.onPublish?.(device.tally, ts, qos, at);
    }
  }

  #publishOne(device: FleetDevice, qos: 0 | 1): number {
    const { tally } = device;
    const seq = tally.nextSeq++;
    const ts = this.firstTs + seq;
    const pm10 = 10 + ((seq * 7) % 400) / 10;
    const no2 = 5 + ((seq * 13) % 600) / 10;
    const temperature = 12 + ((seq * 3) % 150) / 10;
    if (qos === 0) {
      tally.sentQos0 += 1;
      const payload = `{"ts":${ts},"values":{"pm10":${pm10},"no2":${no2},"temperature":${temperature}}}`;
      device.client.publish(device.topic, payload, { qos: 0 });
      return ts;
    }
    const pm25 = 3 + ((seq * 11) % 300) / 10;
    const payload = `{"ts":${ts},"values":{"pm25":${pm25},"pm10":${pm10},"no2":${no2},"temperature":${temperature}}}`;
    tally.sentQos1 += 1;
    const sentAt = performance.now();
    device.client.publish(device.topic, payload, { qos: 1 }, (error) => {
      if (error) {
        tally.failed += 1;
        return;
      }
      tally.acked += 1;
      tally.ackedSeqs.add(seq);
      this.#ackLatencies.push(performance.now() - sentAt);
    });
    return ts;
  }

  /**
   * Publishes at `rate` messages per second in total for `durationMs`, with batched timers: every
   * 10 ms the messages due since the start go out at once, so the rate holds at 10,000 msgs/s.
   */
  publishAtRate(run: PublishRun): Promise<PublishOutcome> {
    const total = Math.round((run.rate * run.durationMs) / 1000);
    const startedAt = performance.now();
    let published = 0;
    let skipped = 0;
    return new Promise((resolve) => {
      const tick = () => {
        const aborted = run.signal?.aborted === true;
        const elapsed = performance.now() - startedAt;
        const dueTotal = Math.min(total, Math.floor((run.rate * elapsed) / 1000));
        let due = dueTotal - published - skipped;
        const catchUpLimit = Math.ceil((run.rate * MAX_CATCH_UP_MS) / 1000);
        if (due > catchUpLimit) {
          skipped += due - catchUpLimit;
          due = catchUpLimit;
        }
        if (due > 0 && !aborted) {
          this.publishNow(due, run);
          published += due;
        }
        if (published + skipped >= total || aborted) {
          clearInterval(timer);
          const endedAt = performance.now();
          const seconds =
            (aborted ? endedAt - startedAt : Math.max(endedAt - startedAt, run.durationMs)) / 1000;
          resolve({ published, skipped, startedAt, endedAt, offeredRate: published / seconds });
        }
      };
      const timer = setInterval(tick, TICK_MS);
    });
  }

  /**
   * Waits until every QoS 1 message sent so far is acknowledged or failed, or `timeoutMs` passed;
   * resolves with the number still in flight (0 when all settled).
   */
  async settle(timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const { inFlight } = this.totals();
      if (inFlight === 0 || performance.now() >= deadline) return inFlight;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Resolves once every device's connection is up (e.g. after a gateway restart), or rejects. */
  async waitConnected(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const { connected, devices } = this.totals();
      if (connected === devices) return;
      if (performance.now() >= deadline)
        throw new Error(
          `${devices - connected} of ${devices} devices still disconnected after ${timeoutMs} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Disconnects every device (messages still in flight are failed and counted as such). */
  async close(): Promise<void> {
    await Promise.all(this.#devices.map(({ client }) => client.endAsync(true).catch(() => undefined)));
  }
}
