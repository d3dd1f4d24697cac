import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { provisionDevices } from '../../bench/load/provision-devices.ts';
import { type ServiceProcess, startService } from '../../bench/load/service-process.ts';
import { readingsTopic } from '../../domain/topics.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';
import { freePort } from '../setup/free-port.ts';
import { type RunningInfluxd, startInfluxd } from '../setup/influxd.ts';
import {
  type EmbeddedTestGateway,
  metricValue,
  startEmbeddedTestGateway,
  type TestGateway,
} from './gateway-fixture.ts';

describe('resent and late readings through the gateway (embedded store)', () => {
  let embedded: EmbeddedTestGateway;
  let gw: TestGateway;
  let store: TimeSeriesStore;
  let metrics: Registry;

  beforeAll(async () => {
    embedded = await startEmbeddedTestGateway();
    ({ gw, store, metrics } = embedded);
  });
  afterAll(async () => {
    await embedded.close();
  });

  it('stores a resent reading once and counts it as a duplicate; an older one is stored and counted late', async () => {
    const device = await gw.registry.add({ id: 'resender', city: 'nice' });
    const client = await mqtt.connectAsync(gw.url, {
      protocolVersion: 4,
      username: device.username,
      password: device.password,
    });
    const topic = readingsTopic('nice', device.id);
    const ts = Date.now() - 60_000;
    const message = JSON.stringify({ ts, values: { pm25: 10, no2: 20 } });
    await client.publishAsync(topic, message, { qos: 1 });
    await client.publishAsync(topic, message, { qos: 1 }); // as after a lost PUBACK
    await client.publishAsync(topic, JSON.stringify({ ts: ts - 30_000, values: { pm25: 9 } }), { qos: 1 });
    await client.endAsync();

    const counts = await store.series({
      city: 'nice',
      metric: 'pm25',
      deviceId: device.id,
      from: ts - 3_600_000,
      to: ts + 1,
      everyMs: 86_400_000,
      agg: 'count',
      timeZone: 'UTC',
    });
    expect(counts.flatMap((s) => s.points).reduce((n, p) => n + p.value, 0)).toBe(2);
    expect(await metricValue(metrics, 'ucap_ingest_duplicate_readings_total', { city: 'nice' })).toBe(2);
    expect(await metricValue(metrics, 'ucap_ingest_late_readings_total', { city: 'nice' })).toBe(1);
    expect(await metricValue(metrics, 'ucap_ingest_readings_total', { city: 'nice' })).toBe(5);
  });
});

describe('stopping the gateway while the store is away (real process)', () => {
  let influxd: RunningInfluxd;
  let dataDir: string;
  let gateway: ServiceProcess | undefined;

  beforeAll(async () => {
    influxd = await startInfluxd();
    dataDir = await mkdtemp(join(tmpdir(), 'ucap-signals-'));
  });
  afterAll(async () => {
    await gateway?.kill('SIGKILL');
    await influxd.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The first log line (parsed) whose message matches, once the process has written it. */
  const logLine = async (match: RegExp): Promise<Record<string, unknown>> => {
    let found: Record<string, unknown> | undefined;
    await vi.waitFor(
      () => {
        found = gateway?.logs
          .map((text) => JSON.parse(text) as Record<string, unknown>)
          .find((line) => match.test(String(line.msg)));
        expect(found).toBeDefined();
      },
      { timeout: 30_000, interval: 50 },
    );
    return found as Record<string, unknown>;
  };

  it('Ctrl-C drains, a second Ctrl-C says what is still in flight, a third exits at once', async () => {
    const [device] = await provisionDevices({ registryPath: join(dataDir, 'devices.json'), count: 1 });
    if (!device) throw new Error('no device provisioned');
    const mqttPort = await freePort();
    gateway = await startService({
      name: 'gateway',
      entry: 'gateway/main.ts',
      readyLog: /listening/,
      env: {
        BIND_HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        MQTT_PORT: String(mqttPort),
        GATEWAY_HTTP_PORT: String(await freePort()),
        GATEWAY_INGEST: 'embedded',
        INFLUX_URL: influxd.url,
        INFLUX_DB: 'signals',
        MQTT_SERVICE_PASSWORD: 'signals-test-service-secret',
      },
    });

    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      protocolVersion: 4,
      username: device.username,
      password: device.password,
      reconnectPeriod: 0,
    });
    const topic = readingsTopic(device.city, device.id);
    await client.publishAsync(topic, JSON.stringify({ ts: Date.now() - 1000, values: { pm25: 1 } }), {
      qos: 1,
    });
    await influxd.pause();
    let acked = 0;
    for (let i = 0; i < 5; i++) {
      client
        .publishAsync(topic, JSON.stringify({ ts: Date.now() - 500 + i, values: { pm25: i } }), { qos: 1 })
        .then(
          () => {
            acked += 1;
          },
          () => undefined,
        );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));

    // kill() sends the signal now; its promise is the exit, awaited at the end.
    void gateway.kill('SIGINT');
    await logLine(/^stopping/);
    void gateway.kill('SIGINT');
    const still = await logLine(/press Ctrl-C once more/);
    expect(still.inFlight).toMatchObject({ readingsAwaitingStore: 5 });
    expect(await gateway.kill('SIGINT')).toBe(130);
    expect(acked).toBe(0); // nothing that was not stored was acknowledged
    client.end(true);
  }, 120_000);
});
