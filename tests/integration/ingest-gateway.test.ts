import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceCredentials } from '../../devices/device.ts';
import { DEFAULT_TIME_POLICY } from '../../domain/timestamps.ts';
import { readingsTopic } from '../../domain/topics.ts';
import { createIngest, type Ingest } from '../../ingest/ingest-worker.ts';
import { createReadingPipeline } from '../../ingest/reading-pipeline.ts';
import { loadCityCatalog } from '../../platform/city-config.ts';
import { silentLogger } from '../../platform/logger.ts';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';
import { startTestGateway, type TestGateway } from './gateway-fixture.ts';

/**
 * Ingest workers behind the real gateway in relay mode (device ACL, service account, registry),
 * writing to real DuckDB: what `npm run gateway` + `npm run ingest` run, minus the processes. A
 * device's PUBACK arrives only once a worker has confirmed its reading durable.
 */
let gw: TestGateway;
let store: TimeSeriesStore;
let nativeDevice: DeviceCredentials;
let senmlDevice: DeviceCredentials;
const devices: MqttClient[] = [];
const ingests: Ingest[] = [];

beforeAll(async () => {
  gw = await startTestGateway({ intake: { kind: 'relay' } });
  store = await createDuckDbStore({ path: ':memory:' });
  nativeDevice = await gw.registry.add({ id: 'nice-gw-01', city: 'nice' });
  senmlDevice = await gw.registry.add({ id: 'zz-senml-01', city: 'zhengzhou', format: 'senml' });
});

afterAll(async () => {
  for (const device of devices) await device.endAsync();
  for (const ingest of ingests) await ingest.stop();
  await gw.close();
  await store.close();
});

function startIngest(
  password = gw.service.password,
  logger = silentLogger(),
  clientId = 'ucap-ingest',
): Ingest {
  const ingest = createIngest({
    mqttUrl: gw.url,
    username: gw.service.username,
    password,
    clientId,
    pipeline: createReadingPipeline({
      store,
      formatOf: async (deviceId) => (await gw.registry.get(deviceId))?.format ?? 'native',
      cities: loadCityCatalog(),
      timePolicy: DEFAULT_TIME_POLICY,
      batch: { flushIntervalMs: 20 },
      logger,
      metrics: new Registry(),
    }),
    logger,
    metrics: new Registry(),
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
  });
  ingests.push(ingest);
  return ingest;
}

async function connectDevice(credentials: DeviceCredentials): Promise<MqttClient> {
  const client = await mqtt.connectAsync(gw.url, {
    protocolVersion: 4,
    clientId: credentials.id,
    username: credentials.username,
    password: credentials.password,
  });
  devices.push(client);
  return client;
}

describe('ingest through the gateway', () => {
  it("acknowledges each device's reading only once a worker stored it, decoded with the device's format", async () => {
    const ingest = startIngest();
    await ingest.start();
    const native = await connectDevice(nativeDevice);
    const senml = await connectDevice(senmlDevice);
    const ts = Date.now() - 60_000;
    await native.publishAsync(
      readingsTopic('nice', nativeDevice.id),
      JSON.stringify({ ts, values: { pm25: 17 } }),
      {
        qos: 1,
      },
    );
    // The PUBACK came: the reading must be in the store already, with no waiting.
    expect(await store.latest({ city: 'nice' })).toEqual([
      { city: 'nice', deviceId: nativeDevice.id, metric: 'pm25', ts, value: 17 },
    ]);
    await senml.publishAsync(
      readingsTopic('zhengzhou', senmlDevice.id),
      JSON.stringify([{ n: 'pm25', u: 'ug/m3', v: 88, t: ts / 1000 }]),
      { qos: 1 },
    );
    expect(await store.latest({ city: 'zhengzhou' })).toMatchObject([
      { city: 'zhengzhou', deviceId: senmlDevice.id, metric: 'pm25', ts, value: 88 },
    ]);
    await ingest.stop();
  });

  it('holds PUBACKs while no worker is connected and delivers once one is back; nothing is queued in the broker', async () => {
    const device = await connectDevice(nativeDevice);
    const base = Date.now() - 30_000;
    let acked = 0;
    const publishes = Array.from({ length: 5 }, (_, i) =>
      device
        .publishAsync(
          readingsTopic('nice', nativeDevice.id),
          JSON.stringify({ ts: base + i, values: { no2: 30 + i } }),
          {
            qos: 1,
          },
        )
        .then(() => {
          acked += 1;
        }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(acked).toBe(0);
    expect(gw.gateway.relay?.stats()).toEqual({ workers: 0, unconfirmed: 5 });
    const ingest = startIngest();
    await ingest.start();
    await Promise.all(publishes);
    expect(ingest.stats().readingsByCity).toEqual({ nice: 5 });
    expect(await store.latest({ city: 'nice', metric: 'no2' })).toEqual([
      { city: 'nice', deviceId: nativeDevice.id, metric: 'no2', ts: base + 4, value: 34 },
    ]);
    await ingest.stop();
  });

  it('spreads batches over two workers, and a worker that leaves mid-stream hands its batches to the other', async () => {
    const first = startIngest(undefined, undefined, 'ingest-a');
    const second = startIngest(undefined, undefined, 'ingest-b');
    await Promise.all([first.start(), second.start()]);
    const device = await connectDevice(nativeDevice);
    const base = Date.now() - 20_000;
    const N = 400;
    const publishes: Promise<unknown>[] = [];
    for (let i = 0; i < N; i++) {
      publishes.push(
        device.publishAsync(
          readingsTopic('nice', nativeDevice.id),
          JSON.stringify({ ts: base + i, values: { o3: i } }),
          {
            qos: 1,
          },
        ),
      );
      if (i === N / 2) void first.stop();
    }
    await Promise.all(publishes);
    const series = await store.series({
      city: 'nice',
      metric: 'o3',
      deviceId: nativeDevice.id,
      from: base,
      to: base + N,
      everyMs: 86_400_000,
      agg: 'count',
      timeZone: 'UTC',
    });
    expect(series.flatMap((s) => s.points).reduce((n, p) => n + p.value, 0)).toBe(N);
    expect(second.stats().readingsByCity.nice ?? 0).toBeGreaterThan(0);
    await second.stop();
  });

  it('keeps retrying a refused service password without flooding the log, and stops cleanly', async () => {
    const lines: Array<{ msg?: string }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    // Each refused attempt fails the connection at the broker (aedes names the event by whether the id was read).
    const refusals = new Promise<void>((resolve) => {
      let seen = 0;
      const onError = () => {
        if (++seen === 3) resolve();
      };
      gw.gateway.broker.on('connectionError', onError);
      gw.gateway.broker.on('clientError', onError);
    });
    const ingest = startIngest('not-the-service-password', logger);
    const started = ingest.start();
    await refusals;
    expect(ingest.stats().connected).toBe(false);
    await ingest.stop();
    await started; // start() settles when stopped before it ever subscribed
    expect(lines.filter((l) => l.msg === 'MQTT connection problem')).toHaveLength(1);
    expect(lines.some((l) => l.msg === 'connected to MQTT broker')).toBe(false);
  });
});
