import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import type { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionDevices } from '../../bench/load/provision-devices.ts';
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
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    influxd = await startInfluxd();
    dataDir = await mkdtemp(join(tmpdir(), 'ucap-signals-'));
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await influxd.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('Ctrl-C drains, a second Ctrl-C says what is still in flight, a third exits at once', async () => {
    const [device] = await provisionDevices({ registryPath: join(dataDir, 'devices.json'), count: 1 });
    if (!device) throw new Error('no device provisioned');
    const mqttPort = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
      env: {
        ...process.env,
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
        BIND_HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        MQTT_PORT: String(mqttPort),
        GATEWAY_HTTP_PORT: String(await freePort()),
        GATEWAY_INGEST: 'embedded',
        INFLUX_URL: influxd.url,
        INFLUX_DB: 'signals',
        MQTT_SERVICE_PASSWORD: 'signals-test-service-secret',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Array<Record<string, unknown>> = [];
    const waiters: Array<{ match: RegExp; resolve: (line: Record<string, unknown>) => void }> = [];
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      for (const w of waiters.filter((x) => x.match.test(String(line.msg)))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    });
    const logLine = (match: RegExp) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const seen = lines.find((l) => match.test(String(l.msg)));
        if (seen) resolve(seen);
        else waiters.push({ match, resolve });
      });
    await logLine(/listening/);

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
    const exited = once(child, 'exit');

    child.kill('SIGINT');
    await logLine(/^stopping/);
    child.kill('SIGINT');
    const still = await logLine(/press Ctrl-C once more/);
    expect(still.inFlight).toMatchObject({ readingsAwaitingStore: 5 });
    child.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(130);
    expect(acked).toBe(0); // nothing that was not stored was acknowledged
    client.end(true);
  }, 120_000);
});
