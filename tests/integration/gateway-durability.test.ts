import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectAsync, connect as connectMqtt, type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { deviceRegistryPath, openDeviceRegistry } from '../../devices/device-registry.ts';
import { isUcapError } from '../../domain/errors.ts';
import { createGateway } from '../../gateway/gateway.ts';
import { loadCityCatalog } from '../../platform/city-config.ts';
import { freePort } from '../setup/free-port.ts';
import { Inbox } from './gateway-fixture.ts';

// A gateway crash (SIGKILL: no shutdown code runs) must not lose QoS 1 readings the broker has
// acknowledged to a device but not yet delivered to the offline ingest worker's persistent session.

const root = resolve(import.meta.dirname, '../..');
const SERVICE = { username: 'ucap-ingest', password: 'durability-test-secret-0123' };
const INGEST_CLIENT_ID = 'ucap-ingest';
const READINGS = 'ucap/+/+/readings';
const QUEUED = 40;
const children: ChildProcessWithoutNullStreams[] = [];
const clients: MqttClient[] = [];
const dirs: string[] = [];

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.endAsync(true)));
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Starts `tsx gateway/main.ts` and resolves once it logs that it listens. */
function startGateway(env: NodeJS.ProcessEnv): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], { cwd: root, env });
  children.push(child);
  return new Promise((resolvePromise, reject) => {
    let buffered = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      buffered += chunk.toString();
      for (const text of buffered.split('\n').slice(0, -1)) {
        if (typeof (JSON.parse(text) as { mqtt?: unknown }).mqtt === 'string') resolvePromise(child);
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code} before listening:\n${output}`)));
  });
}

async function crash(child: ChildProcessWithoutNullStreams): Promise<void> {
  const exited = new Promise<NodeJS.Signals | null>((done) =>
    child.once('exit', (_code, signal) => done(signal)),
  );
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

async function connect(port: number, options: IClientOptions): Promise<MqttClient> {
  const client = await connectAsync(`mqtt://127.0.0.1:${port}`, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...options,
  });
  clients.push(client);
  return client;
}

/** The ingest worker's connection: a persistent session under a fixed client id. */
function connectIngest(port: number, extra: IClientOptions = {}): Promise<MqttClient> {
  return connect(port, { ...SERVICE, clientId: INGEST_CLIENT_ID, clean: false, ...extra });
}

const payload = (i: number) => JSON.stringify({ seq: i });

/**
 * Ingest subscribes then goes offline; a device publishes QUEUED readings at QoS 1 (each acked by
 * the broker); the gateway is killed and started again on the same DATA_DIR; ingest reconnects.
 * Returns whether the broker still knew the session and which queued readings arrived, judged once
 * a marker published after the reconnect has arrived (the queue is delivered before it).
 */
async function crashWhileIngestOffline(persistence: 'level' | 'memory') {
  const dataDir = await mkdtemp(join(tmpdir(), `ucap-durability-${persistence}-`));
  dirs.push(dataDir);
  const device = await openDeviceRegistry(deviceRegistryPath(dataDir)).add({ id: 'nice-dur', city: 'nice' });
  const port = await freePort();
  const { MQTT_SERVICE_PASSWORD: _secret, GATEWAY_PERSISTENCE: _persistence, ...inherited } = process.env;
  const env = {
    ...inherited,
    LOG_FORMAT: 'json',
    DATA_DIR: dataDir,
    MQTT_PORT: String(port),
    GATEWAY_HTTP_PORT: '0',
    MQTT_SERVICE_PASSWORD: SERVICE.password,
    // level is the default: leave the variable unset so the default is what is tested.
    ...(persistence === 'memory' && { GATEWAY_PERSISTENCE: 'memory' }),
  };
  const topic = `ucap/nice/${device.id}/readings`;

  const first = await startGateway(env);
  const ingest = await connectIngest(port, { clean: true });
  await ingest.endAsync(); // start from no stored session, then make the persistent one
  const offline = await connectIngest(port);
  expect(await offline.subscribeAsync(READINGS, { qos: 1 })).toEqual([{ topic: READINGS, qos: 1 }]);
  await offline.endAsync();

  const publisher = await connect(port, { username: device.username, password: device.password });
  for (let i = 0; i < QUEUED; i++) await publisher.publishAsync(topic, payload(i), { qos: 1 });
  await publisher.endAsync();
  await crash(first);

  await startGateway(env);
  // Connected by hand: the CONNACK's session-present flag says whether the broker kept the session.
  const back = connectMqtt(`mqtt://127.0.0.1:${port}`, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...SERVICE,
    clientId: INGEST_CLIENT_ID,
    clean: false,
  });
  clients.push(back);
  const inbox = new Inbox(back);
  const connack = await new Promise<{ sessionPresent: boolean }>((done, fail) => {
    back.once('connect', done);
    back.once('error', fail);
  });
  const { sessionPresent } = connack;
  await back.subscribeAsync(READINGS, { qos: 1 });
  const marker = await connect(port, { username: device.username, password: device.password });
  await marker.publishAsync(topic, 'marker', { qos: 1 });
  await inbox.waitFor((m) => m.payload === 'marker', 'marker after the restart');
  await marker.endAsync();
  await back.endAsync();
  const received = new Set(inbox.payloads().filter((p) => p !== 'marker'));
  return { sessionPresent, received };
}

describe('gateway broker state across a crash', () => {
  const all = new Set(Array.from({ length: QUEUED }, (_, i) => payload(i)));

  it('default GATEWAY_PERSISTENCE (level): ingest receives every QoS 1 reading queued before the SIGKILL', async () => {
    const { sessionPresent, received } = await crashWhileIngestOffline('level');
    expect(sessionPresent).toBe(true);
    expect(received).toEqual(all);
  }, 60_000);

  it('GATEWAY_PERSISTENCE=memory: the session and its queued readings are lost', async () => {
    const { sessionPresent, received } = await crashWhileIngestOffline('memory');
    expect(sessionPresent).toBe(false);
    expect(received.size).toBe(0);
  }, 60_000);
});

describe('gateway broker state directory', () => {
  async function gatewayOn(dir: string) {
    return createGateway({
      registry: openDeviceRegistry(deviceRegistryPath(dir)),
      cities: loadCityCatalog(),
      serviceAccount: SERVICE,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
      metrics: new Registry(),
      persistence: { dir: join(dir, 'broker') },
    });
  }

  it('refuses a second gateway on the same directory, naming it, and frees it on close()', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ucap-durability-lock-'));
    dirs.push(dataDir);
    const first = await gatewayOn(dataDir);
    const error = await gatewayOn(dataDir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isUcapError(error) && error.code).toBe('BROKER_STATE_UNAVAILABLE');
    expect((error as Error).message).toContain(join(dataDir, 'broker'));
    await first.close();
    const second = await gatewayOn(dataDir);
    await second.close();
  });
});
