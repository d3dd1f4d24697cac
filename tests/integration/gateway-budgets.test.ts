import type { IClientOptions, MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceCredentials } from '../../devices/device.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';
import {
  connectClient,
  type EmbeddedTestGateway,
  metricValue,
  startEmbeddedTestGateway,
  startTestGateway,
  type TestGateway,
} from './gateway-fixture.ts';

// Issue 8 "per-device budgets": publish rate and bytes per second per device at the gateway,
// rejections stored per device capped at ingest.
const clients: MqttClient[] = [];

const connect = (url: string, creds: DeviceCredentials, extra: IClientOptions = {}) =>
  connectClient(url, creds, extra, clients);

const closed = (client: MqttClient) =>
  new Promise<void>((resolve) => {
    if (!client.connected) resolve();
    client.once('close', () => resolve());
  });

const reading = (i: number) => JSON.stringify({ ts: Date.now(), values: { pm25: 10 + (i % 5) } });

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
});

describe('gateway publish budgets', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      limits: { publishesPerDeviceSecond: 20, publishBytesPerDeviceSecond: 100_000 },
    });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('cuts off a device publishing faster than its message budget; other devices are untouched', async () => {
    const noisy = await gw.registry.add({ id: 'noisy', city: 'nice' });
    const quiet = await gw.registry.add({ id: 'quiet', city: 'nice' });
    const quietClient = await connect(gw.url, quiet);
    const client = await connect(gw.url, noisy);
    const cut = closed(client);
    for (let i = 0; i < 200; i++) client.publish('ucap/nice/noisy/readings', reading(i), { qos: 0 });
    await cut;
    expect(
      await metricValue(gw.metrics, 'ucap_gateway_publishes_refused_total', {
        reason: 'publish-rate-exceeded',
      }),
    ).toBeGreaterThanOrEqual(1);
    await quietClient.publishAsync('ucap/nice/quiet/readings', reading(0), { qos: 1 });
    expect(quietClient.connected).toBe(true);
  });

  it('cuts off a device sending more bytes per second than its budget', async () => {
    const bulky = await gw.registry.add({ id: 'bulky', city: 'nice' });
    const client = await connect(gw.url, bulky);
    const cut = closed(client);
    const big = JSON.stringify({ ts: Date.now(), values: { pm25: 1 }, pad: 'x'.repeat(60_000) });
    for (let i = 0; i < 3; i++) client.publish('ucap/nice/bulky/readings', big, { qos: 0 });
    await cut;
    expect(
      await metricValue(gw.metrics, 'ucap_gateway_publishes_refused_total', { reason: 'byte-rate-exceeded' }),
    ).toBe(1);
  });
});

describe('gateway default budgets at load-test scale', () => {
  it('lets 40 devices each publish 50 QoS 1 msgs/s for 2 s without a refusal', async () => {
    const gw = await startTestGateway();
    try {
      const creds = await Promise.all(
        Array.from({ length: 40 }, (_, i) => gw.registry.add({ id: `load-${i}`, city: 'nice' })),
      );
      const devices = await Promise.all(creds.map((c) => connect(gw.url, c)));
      let acked = 0;
      await Promise.all(
        devices.map(async (device, d) => {
          for (let tick = 0; tick < 10; tick++) {
            // 10 messages every 200 ms = 50 msgs/s, sent as a burst like a batching device.
            await Promise.all(
              Array.from({ length: 10 }, (_, i) =>
                device
                  .publishAsync(`ucap/nice/load-${d}/readings`, reading(i), { qos: 1 })
                  .then(() => acked++),
              ),
            );
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }),
      );
      expect(acked).toBe(40 * 100);
      expect(await metricValue(gw.metrics, 'ucap_gateway_publishes_refused_total')).toBe(0);
    } finally {
      await gw.close();
    }
  });
});

describe('ingest rejection budget', () => {
  let embedded: EmbeddedTestGateway;
  let gw: TestGateway;
  let store: TimeSeriesStore;
  beforeAll(async () => {
    embedded = await startEmbeddedTestGateway({ maxRejectionsPerDeviceMinute: 10 });
    ({ gw, store } = embedded);
  });
  afterAll(async () => {
    await embedded.close();
  });

  it('stores at most INGEST_MAX_REJECTIONS_PER_DEVICE_MINUTE rejections per device and counts the rest', async () => {
    const spammer = await gw.registry.add({ id: 'spammer', city: 'nice' });
    const honest = await gw.registry.add({ id: 'honest', city: 'nice' });
    const client = await connect(gw.url, spammer);
    // 150 garbage messages, each with a long key the reason would quote; each PUBACK means handled.
    for (let i = 0; i < 150; i++)
      await client.publishAsync('ucap/nice/spammer/readings', `{"${'k'.repeat(5000)}":${i}}`, { qos: 1 });
    const other = await connect(gw.url, honest);
    await other.publishAsync('ucap/nice/honest/readings', 'not json', { qos: 1 });
    const kept = await store.rejections({ deviceId: 'spammer', limit: 1000 });
    expect(kept.length).toBe(10);
    expect(await store.rejections({ deviceId: 'honest', limit: 10 })).toHaveLength(1);
    expect(await metricValue(embedded.metrics, 'ucap_ingest_rejections_dropped_total')).toBe(140);
    for (const rejection of kept) expect(rejection.reason.length).toBeLessThanOrEqual(2049);
  });
});
