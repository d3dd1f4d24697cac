import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDeviceRegistry } from '../../devices/device-registry.ts';
import { CityCatalog, DEFAULT_CITIES } from '../../domain/cities.ts';
import { decodeNativePayload } from '../../domain/payload-formats/native-payload.ts';
import { DEFAULT_TIME_POLICY } from '../../domain/timestamps.ts';
import { parseReadingsTopic, READINGS_SUBSCRIPTION } from '../../domain/topics.ts';
import { createGateway, type Gateway } from '../../gateway/gateway.ts';
import { silentLogger } from '../../platform/logger.ts';
import { type CitySimulator, createCitySimulator } from '../../simulators/city-simulator.ts';
import { stationsOf } from '../../simulators/stations.ts';

/** Both cities' simulators through the project's real gateway (ACL and all) to a service-account subscriber. */
const SERVICE = { username: 'ucap-ingest', password: 'gateway-test-secret' };

let dir: string;
let gateway: Gateway;
let mqttUrl: string;
let subscriber: MqttClient;
const simulators: CitySimulator[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ucap-sim-gw-'));
  const registry = openDeviceRegistry(join(dir, 'devices.json'));
  gateway = await createGateway({
    registry,
    cities: new CityCatalog(DEFAULT_CITIES),
    serviceAccount: SERVICE,
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger(),
    metrics: new Registry(),
  });
  const { port } = await gateway.listen();
  mqttUrl = `mqtt://127.0.0.1:${port}`;
  subscriber = await connectAsync(mqttUrl, {
    protocolVersion: 4,
    clientId: 'ucap-ingest-sim-test',
    ...SERVICE,
  });
  await subscriber.subscribeAsync(READINGS_SUBSCRIPTION, { qos: 1 });
  for (const city of DEFAULT_CITIES) {
    simulators.push(
      createCitySimulator({ city, mqttUrl, registry, intervalMs: 200, logger: silentLogger(), seed: 11 }),
    );
  }
});

afterAll(async () => {
  await Promise.all(simulators.map((s) => s.stop()));
  await subscriber?.endAsync();
  await gateway?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('simulators through the real gateway', () => {
  it('delivers valid native payloads from every device of Nice and Zhengzhou to the service account', async () => {
    const expected = new Set(DEFAULT_CITIES.flatMap((c) => stationsOf(c.id).map((s) => `${c.id}/${s.id}`)));
    const delivered = new Set<string>();
    const problems: string[] = [];
    const allDelivered = new Promise<void>((resolve) => {
      subscriber.on('message', (topic, payload) => {
        const parsed = parseReadingsTopic(topic);
        if (!parsed) {
          problems.push(`unexpected topic ${topic}`);
          return;
        }
        const result = decodeNativePayload(payload, {
          ...parsed,
          receivedAt: Date.now(),
          timePolicy: DEFAULT_TIME_POLICY,
        });
        if (!result.ok) problems.push(`${topic}: ${JSON.stringify(result.problems)}`);
        else delivered.add(`${parsed.city}/${parsed.deviceId}`);
        if ([...expected].every((key) => delivered.has(key))) resolve();
      });
    });
    for (const simulator of simulators) await simulator.start();
    await allDelivered;
    expect(problems).toEqual([]);
    expect([...delivered].sort()).toEqual([...expected].sort());
    for (const simulator of simulators) expect(simulator.stats().published).toBeGreaterThan(0);
  });
});
