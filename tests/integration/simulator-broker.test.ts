import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DeviceRegistry, openDeviceRegistry } from '../../devices/device-registry.ts';
import { DEFAULT_CITIES } from '../../domain/cities.ts';
import { decodeNativePayload } from '../../domain/payload-formats/native-payload.ts';
import { DEFAULT_TIME_POLICY } from '../../domain/timestamps.ts';
import { parseReadingsTopic } from '../../domain/topics.ts';
import { silentLogger } from '../../platform/logger.ts';
import { type CitySimulator, createCitySimulator } from '../../simulators/city-simulator.ts';
import { stationsOf } from '../../simulators/stations.ts';

/**
 * The simulator's own behaviour (provisioning, credentials, QoS 1 acks, sequence numbers, stop)
 * against a bare aedes broker whose authenticate hook asks the real registry. The full path through
 * the project's gateway is in simulator-gateway.test.ts.
 */
const nice = DEFAULT_CITIES.find((c) => c.id === 'nice');
if (!nice) throw new Error('nice is a built-in city');

let dir: string;
let registry: DeviceRegistry;
let broker: Aedes;
let server: Server;
let mqttUrl: string;
let refuseEveryone = false;
const SERVICE = { username: 'test-subscriber', password: 'subscriber-secret' };
const running: CitySimulator[] = [];
let subscriber: MqttClient | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ucap-sim-'));
  registry = openDeviceRegistry(join(dir, 'devices.json'));
  broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      if (refuseEveryone || !username || !password) return done(null, false);
      if (username === SERVICE.username) return done(null, password.toString() === SERVICE.password);
      registry.authenticate(username, password.toString()).then(
        (device) => done(null, device !== undefined && device.id === client.id.replace(/-sim$/, '')),
        () => done(null, false),
      );
    },
  });
  server = createServer(broker.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  mqttUrl = `mqtt://127.0.0.1:${address.port}`;
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  await subscriber?.endAsync();
  subscriber = undefined;
  refuseEveryone = false;
});

afterAll(async () => {
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

function simulator(seed = 5): CitySimulator {
  if (!nice) throw new Error('unreachable');
  const s = createCitySimulator({
    city: nice,
    mqttUrl,
    registry,
    intervalMs: 100,
    logger: silentLogger(),
    seed,
  });
  running.push(s);
  return s;
}

async function subscribe(): Promise<MqttClient> {
  subscriber = await connectAsync(mqttUrl, { protocolVersion: 4, clientId: 'test-subscriber', ...SERVICE });
  await subscriber.subscribeAsync('ucap/+/+/readings', { qos: 1 });
  return subscriber;
}

describe('city simulator against an MQTT broker', () => {
  it('registers each station with its site and publishes valid readings from every device, seq counting up', async () => {
    const client = await subscribe();
    const seen = new Map<string, number[]>();
    const stations = stationsOf('nice');
    const everyDeviceTwice = new Promise<void>((resolve, reject) => {
      client.on('message', (topic, payload) => {
        const parsed = parseReadingsTopic(topic);
        if (!parsed) return reject(new Error(`bad topic ${topic}`));
        const result = decodeNativePayload(payload, {
          city: parsed.city,
          deviceId: parsed.deviceId,
          receivedAt: Date.now(),
          timePolicy: DEFAULT_TIME_POLICY,
        });
        if (!result.ok) return reject(new Error(JSON.stringify(result.problems)));
        const station = stations.find((s) => s.id === parsed.deviceId);
        expect(result.readings.map((r) => r.metric).sort()).toEqual([...(station?.metrics ?? [])].sort());
        const seqs = seen.get(parsed.deviceId) ?? [];
        seqs.push((JSON.parse(payload.toString()) as { seq: number }).seq);
        seen.set(parsed.deviceId, seqs);
        if (stations.every((s) => (seen.get(s.id)?.length ?? 0) >= 2)) resolve();
      });
    });
    const sim = simulator();
    await sim.start();
    await everyDeviceTwice;
    for (const station of stations) expect(seen.get(station.id)?.slice(0, 2)).toEqual([0, 1]);
    expect(sim.stats().devices).toBe(stations.length);

    const registered = await registry.list({ city: 'nice' });
    for (const station of stations) {
      const device = registered.find((d) => d.id === station.id);
      expect(device?.location).toEqual(station.location);
      expect(device?.meta?.siteType).toBe(station.siteType);
    }
  });

  it('counts only acknowledged publishes, and disconnects every device on stop', async () => {
    const client = await subscribe();
    const sim = simulator();
    let received = 0;
    const waiters: Array<() => void> = [];
    client.on('message', () => {
      received++;
      for (const wake of waiters.splice(0)) wake();
    });
    const receivedAtLeast = async (n: number) => {
      while (received < n) await new Promise<void>((resolve) => waiters.push(resolve));
    };
    await sim.start();
    await receivedAtLeast(10);
    await sim.stop();
    const published = sim.stats().published;
    expect(published).toBeGreaterThanOrEqual(10);
    // Every acknowledged publish reaches the subscriber (the broker forwards after the ack).
    await receivedAtLeast(published);
    // Only the subscriber is left connected: the devices cannot publish any more.
    while (broker.connectedClients > 1) await once(broker, 'clientDisconnect');
    expect(broker.connectedClients).toBe(1);
  });

  it('rotates the secret on every start, so a second run logs in with fresh credentials', async () => {
    const first = simulator();
    await first.start();
    await first.stop();
    const second = simulator();
    await expect(second.start()).resolves.toBeUndefined();
    expect(second.stats().devices).toBe(stationsOf('nice').length);
  });

  it('fails start when the broker refuses the credentials, instead of retrying silently', async () => {
    refuseEveryone = true;
    await expect(simulator().start()).rejects.toThrow(/not authorized|bad user name or password/i);
  });
});
