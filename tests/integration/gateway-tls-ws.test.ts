import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceCredentials } from '../../devices/device.ts';
import { deviceRegistryPath, openDeviceRegistry } from '../../devices/device-registry.ts';
import { isUcapError } from '../../domain/errors.ts';
import { MAX_PAYLOAD_BYTES } from '../../gateway/broker-limits.ts';
import { WS_PATH } from '../../gateway/extra-listeners.ts';
import { createGateway, type Gateway, type GatewayAddress } from '../../gateway/gateway.ts';
import { gatewayListenersFrom } from '../../gateway/gateway-config.ts';
import { loadCityCatalog } from '../../platform/city-config.ts';
import { Inbox, metricValue, runProcess } from './gateway-fixture.ts';

// Issue 8 "TLS and WebSocket": mqtts with a certificate made at test time, MQTT over wss and ws,
// the frame-size guard on each listener.
const service = { username: 'ucap-ingest', password: 'test-service-secret-0123' };
let dir: string;
let certPath: string;
let keyPath: string;
let cert: Buffer;
let device: DeviceCredentials;
const gateways: Gateway[] = [];
const clients: MqttClient[] = [];

async function startGateway(listeners: Parameters<typeof gatewayListenersFrom>[0]) {
  const metrics = new Registry();
  const gateway = await createGateway({
    registry: openDeviceRegistry(deviceRegistryPath(dir)),
    cities: loadCityCatalog(),
    serviceAccount: service,
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    metrics,
    listeners: gatewayListenersFrom(listeners),
  });
  gateways.push(gateway);
  return { gateway, metrics, address: await gateway.listen() };
}

async function connect(url: string, extra: IClientOptions): Promise<MqttClient> {
  const client = await connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, ...extra });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

async function readingsInbox(address: GatewayAddress): Promise<Inbox> {
  const ingest = await connect(`mqtt://127.0.0.1:${address.port}`, {
    ...service,
    clientId: 'tls-test-ingest',
  });
  const inbox = new Inbox(ingest);
  await ingest.subscribeAsync('ucap/+/+/readings', { qos: 1 });
  return inbox;
}

const closeOf = (client: MqttClient) => new Promise<void>((resolve) => client.once('close', () => resolve()));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ucap-tls-'));
  certPath = join(dir, 'gateway.crt');
  keyPath = join(dir, 'gateway.key');
  const made = await runProcess('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=localhost'],
    ...['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
  ]);
  expect(made.code, made.stderr).toBe(0);
  cert = await readFile(certPath);
  device = await openDeviceRegistry(deviceRegistryPath(dir)).add({ id: 'tls-device', city: 'nice' });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  for (const gateway of gateways) await gateway.close();
  await rm(dir, { recursive: true, force: true });
});

describe('gateway over TLS and WebSocket', () => {
  it('accepts mosquitto_pub --cafile over mqtts and mqtt.js over wss at /mqtt', async () => {
    const { address, metrics } = await startGateway({
      MQTT_TLS_PORT: 0,
      MQTT_TLS_CERT: certPath,
      MQTT_TLS_KEY: keyPath,
      MQTT_WS_PORT: 0,
    });
    expect(address.tlsPort).toBeGreaterThan(0);
    expect(address.wsTls).toBe(true);
    const inbox = await readingsInbox(address);
    const pub = await runProcess('mosquitto_pub', [
      ...['-h', '127.0.0.1', '-p', String(address.tlsPort), '--cafile', certPath],
      ...['-u', device.username, '-P', device.password, '-q', '1'],
      ...['-t', 'ucap/nice/tls-device/readings', '-m', '{"ts":1,"tag":"over-mqtts"}'],
    ]);
    expect(pub.code, pub.stderr).toBe(0);
    await inbox.waitFor((m) => m.payload.includes('over-mqtts'), 'the mqtts publish');

    const wss = await connect(`wss://127.0.0.1:${address.wsPort}${WS_PATH}`, {
      ca: cert,
      username: device.username,
      password: device.password,
    });
    await wss.publishAsync('ucap/nice/tls-device/readings', '{"ts":2,"tag":"over-wss"}', { qos: 1 });
    await inbox.waitFor((m) => m.payload.includes('over-wss'), 'the wss publish');

    // The frame-size guard holds on both listeners.
    const huge = 'x'.repeat(MAX_PAYLOAD_BYTES + 2048);
    const wssClosed = closeOf(wss);
    wss.publish('ucap/nice/tls-device/readings', huge, { qos: 0 });
    await wssClosed;
    const mqtts = await connect(`mqtts://127.0.0.1:${address.tlsPort}`, {
      ca: cert,
      username: device.username,
      password: device.password,
    });
    const mqttsClosed = closeOf(mqtts);
    mqtts.publish('ucap/nice/tls-device/readings', huge, { qos: 0 });
    await mqttsClosed;
    expect(
      await metricValue(metrics, 'ucap_gateway_connections_refused_total', { reason: 'frame-too-large' }),
    ).toBe(2);
    expect(inbox.payloads().some((p) => p.length > MAX_PAYLOAD_BYTES)).toBe(false);
  });

  it('refuses mqtts to a client that does not trust the certificate', async () => {
    const { address } = await startGateway({
      MQTT_TLS_PORT: 0,
      MQTT_TLS_CERT: certPath,
      MQTT_TLS_KEY: keyPath,
    });
    const refused = await connectAsync(`mqtts://127.0.0.1:${address.tlsPort}`, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      username: device.username,
      password: device.password,
    }).then(
      (c) => {
        clients.push(c);
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(String(refused)).toMatch(/self[- ]signed|certificate/i);
  });

  it('serves plain ws at /mqtt when no TLS variables are set', async () => {
    const { address } = await startGateway({ MQTT_WS_PORT: 0 });
    expect(address.wsTls).toBe(false);
    expect(address.tlsPort).toBeUndefined();
    const inbox = await readingsInbox(address);
    const ws = await connect(`ws://127.0.0.1:${address.wsPort}${WS_PATH}`, {
      username: device.username,
      password: device.password,
    });
    await ws.publishAsync('ucap/nice/tls-device/readings', '{"ts":3,"tag":"over-ws"}', { qos: 1 });
    await inbox.waitFor((m) => m.payload.includes('over-ws'), 'the ws publish');
  });

  it('stops start-up naming the variable when the TLS settings are incomplete or unreadable', () => {
    const problem = (config: Parameters<typeof gatewayListenersFrom>[0]) => {
      try {
        gatewayListenersFrom(config);
        return '';
      } catch (error) {
        return isUcapError(error, 'CONFIG_INVALID') ? error.message : String(error);
      }
    };
    expect(problem({ MQTT_TLS_PORT: 8883 })).toMatch(/MQTT_TLS_PORT: needs MQTT_TLS_CERT/);
    expect(problem({ MQTT_TLS_CERT: certPath })).toMatch(/MQTT_TLS_CERT and MQTT_TLS_KEY/);
    expect(problem({ MQTT_TLS_CERT: certPath, MQTT_TLS_KEY: join(dir, 'missing.key') })).toMatch(
      /MQTT_TLS_KEY: cannot read/,
    );
  });
});
