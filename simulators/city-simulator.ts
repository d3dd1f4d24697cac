import { connectAsync, type MqttClient } from 'mqtt';
import type { DeviceCredentials, NewDevice } from '../devices/device.ts';
import type { City } from '../domain/cities.ts';
import { UcapError } from '../domain/errors.ts';
import { readingsTopic } from '../domain/topics.ts';
import type { Logger } from '../platform/logger.ts';
import { PublishLedger } from './publish-ledger.ts';
import { nativeReadingPayload } from './reading-payload.ts';
import { createSeededRandom, hashSeed } from './seeded-random.ts';
import { type StationProfile, stationsOf } from './stations.ts';
import { createValueModel, type ValueModel } from './value-model.ts';

/** The part of the device registry a simulator needs (devices/device-registry.ts satisfies it). */
export interface DeviceProvisioner {
  /** Creates the device or rotates its secret; returns fresh credentials either way. */
  ensure(input: NewDevice): Promise<DeviceCredentials>;
}

export interface CitySimulatorOptions {
  readonly city: City;
  readonly mqttUrl: string;
  readonly registry: DeviceProvisioner;
  readonly intervalMs: number;
  readonly logger: Logger;
  /** Same seed → same readings for the same instants; random (and logged) when absent. */
  readonly seed?: number;
  readonly now?: () => number;
}

export interface CitySimulatorStats {
  /** Readings messages the broker has acknowledged (QoS 1 PUBACK). */
  readonly published: number;
  readonly devices: number;
}

export interface CitySimulator {
  start(): Promise<void>;
  /** Stops publishing, waits for unacknowledged publishes (bounded), disconnects. */
  stop(): Promise<void>;
  stats(): CitySimulatorStats;
}

interface SimulatedDevice {
  readonly station: StationProfile;
  readonly topic: string;
  readonly client: MqttClient;
  readonly model: ValueModel;
  seq: number;
}

// A gateway that is down must not hold a shutdown forever: unacknowledged publishes are given this
// long, then the clients are closed anyway (and the loss is logged).
const DRAIN_TIMEOUT_MS = 5_000;
// Devices of a city are spread over at most this window so they do not all publish at once.
const MAX_PHASE_SPREAD_MS = 1_000;

export function createCitySimulator(options: CitySimulatorOptions): CitySimulator {
  const stations = stationsOf(options.city.id);
  if (stations.length === 0)
    throw new UcapError('CONFIG_INVALID', `city "${options.city.id}" has no simulated stations`);
  if (!Number.isInteger(options.intervalMs) || options.intervalMs < 100)
    throw new UcapError('CONFIG_INVALID', `interval must be at least 100 ms, got ${options.intervalMs}`);
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  const log = options.logger.child({ city: options.city.id });
  const devices: SimulatedDevice[] = [];
  const ledger = new PublishLedger();
  const timers = new PublishTimers(options.intervalMs, options.now ?? Date.now, ledger, log);
  let state: 'idle' | 'running' | 'stopped' = 'idle';
  const disconnectAll = (force: boolean) => Promise.allSettled(devices.map((d) => d.client.endAsync(force)));

  return {
    async start() {
      if (state !== 'idle') throw new Error('a city simulator can be started once');
      state = 'running';
      try {
        for (const station of stations) devices.push(await connectDevice(station, options, seed, log));
      } catch (error) {
        state = 'stopped';
        await disconnectAll(true);
        throw error;
      }
      // stop() may have been called while the devices were still connecting.
      if (state !== 'running') {
        await disconnectAll(true);
        return;
      }
      for (const [index, device] of devices.entries()) timers.schedule(device, index, devices.length);
      log.info({ devices: devices.length, intervalMs: options.intervalMs, seed }, 'simulator started');
    },
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      timers.clear();
      const drained = await ledger.drain(DRAIN_TIMEOUT_MS);
      if (!drained) log.warn({ unacknowledged: ledger.pending }, 'stopping with unacknowledged publishes');
      await disconnectAll(!drained);
      log.info({ published: ledger.acknowledged }, 'simulator stopped');
    },
    stats() {
      return { published: ledger.acknowledged, devices: devices.length };
    },
  };
}

/** Publishes each device's readings every interval, devices spread by a small phase offset. */
class PublishTimers {
  readonly #timers = new Set<NodeJS.Timeout>();
  #cleared = false;

  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly ledger: PublishLedger;
  private readonly log: Logger;

  constructor(intervalMs: number, now: () => number, ledger: PublishLedger, log: Logger) {
    this.intervalMs = intervalMs;
    this.now = now;
    this.ledger = ledger;
    this.log = log;
  }

  schedule(device: SimulatedDevice, index: number, count: number): void {
    const phase = Math.round((index * Math.min(this.intervalMs, MAX_PHASE_SPREAD_MS)) / count);
    const first = setTimeout(() => {
      this.#timers.delete(first);
      if (this.#cleared) return;
      this.#publish(device);
      this.#timers.add(setInterval(() => this.#publish(device), this.intervalMs));
    }, phase);
    this.#timers.add(first);
  }

  clear(): void {
    this.#cleared = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #publish(device: SimulatedDevice): void {
    const ts = this.now();
    const payload = nativeReadingPayload(ts, device.model.valuesAt(ts), device.seq++);
    this.ledger.track(device.client.publishAsync(device.topic, payload, { qos: 1 }), (error) =>
      this.log.warn({ deviceId: device.station.id, err: error }, 'publish failed'),
    );
  }
}

async function connectDevice(
  station: StationProfile,
  options: CitySimulatorOptions,
  seed: number,
  log: Logger,
): Promise<SimulatedDevice> {
  const credentials = await options.registry.ensure(deviceRegistration(station));
  const client = await connectAsync(
    options.mqttUrl,
    {
      protocolVersion: 4,
      clientId: `${station.id}-sim`,
      username: credentials.username,
      password: credentials.password,
      clean: true,
      connectTimeout: 10_000,
    },
    false,
  ).catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`device ${station.id} could not connect to ${options.mqttUrl}: ${reason}`, {
      cause: error,
    });
  });
  client.on('error', (error) => log.warn({ deviceId: station.id, err: error }, 'MQTT connection error'));
  const random = createSeededRandom(hashSeed(seed, station.id));
  const model = createValueModel(station, { timeZone: options.city.timeZone, random });
  return { station, topic: readingsTopic(options.city.id, station.id), client, model, seq: 0 };
}

/** What the simulator registers for a station: the real site's location and what it is. */
export function deviceRegistration(station: StationProfile): NewDevice {
  const meta: Record<string, string> = { simulated: 'true', siteType: station.siteType };
  if (station.stationCode) meta.stationCode = station.stationCode;
  if (station.uncertain) meta.uncertain = station.uncertain;
  return { id: station.id, city: station.city, format: 'native', location: { ...station.location }, meta };
}
