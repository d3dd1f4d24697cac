import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Aedes, type Client } from 'aedes';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readingsTopic } from '../../domain/topics.ts';
import { parseConfig } from '../../platform/config.ts';
import { silentLogger } from '../../platform/logger.ts';
import { openStore } from '../../store/open-store.ts';
import { storeConfigSchema } from '../../store/store-config.ts';

/** `npm run ingest` as a real process against a real bare aedes broker, with the embedded store under DATA_DIR. */
let broker: Aedes;
let server: Server;
let mqttPort: number;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  broker = await Aedes.createBroker();
  server = createServer(broker.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  mqttPort = (server.address() as AddressInfo).port;
  dir = await mkdtemp(join(tmpdir(), 'ucap-ingest-main-'));
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

interface Started {
  readonly child: ChildProcess;
  readonly logs: Array<Record<string, unknown>>;
  readonly stderr: string[];
  /** Resolves with the first log line matching the predicate. */
  waitForLog(match: (entry: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

function startIngest(extraEnv: Record<string, string>): Started {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    MQTT_HOST: '127.0.0.1',
    MQTT_PORT: String(mqttPort),
    DATA_DIR: dir,
    BIND_HOST: '127.0.0.1',
    INGEST_HTTP_PORT: '0',
    INGEST_FLUSH_INTERVAL_MS: '50',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    ...extraEnv,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'ingest/main.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const logs: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  const watchers: Array<{
    match: (e: Record<string, unknown>) => boolean;
    resolve: (e: Record<string, unknown>) => void;
  }> = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    logs.push(entry);
    for (const w of watchers.filter((x) => x.match(entry))) {
      watchers.splice(watchers.indexOf(w), 1);
      w.resolve(entry);
    }
  });
  const waitForLog = (match: (e: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const seen = logs.find(match);
      if (seen) return resolve(seen);
      watchers.push({ match, resolve });
      child.once('exit', (code) =>
        reject(new Error(`ingest exited with ${code}: ${stderr.join('')}${JSON.stringify(logs)}`)),
      );
    });
  return { child, logs, stderr, waitForLog };
}

describe('npm run ingest', () => {
  it('refuses to start without the service password and says where to get it', async () => {
    const { child, logs } = startIngest({});
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(JSON.stringify(logs)).toMatch(
      /MQTT_SERVICE_PASSWORD: required: set it to the gateway's MQTT_SERVICE_PASSWORD/,
    );
  });

  it('INGEST_SOURCE=subscribe on a plain broker: subscribes, reports ready, stores what devices publish, drains on SIGTERM', async () => {
    const ingest = startIngest({
      MQTT_SERVICE_PASSWORD: 'the-gateway-secret',
      INGEST_CLIENT_ID: 'ucap-ingest-main',
      INGEST_SOURCE: 'subscribe',
    });
    const { ops } = await ingest.waitForLog((e) => typeof e.ops === 'string');
    expect(ops).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await ingest.waitForLog((e) => e.msg === 'subscribed');
    const ready = await fetch(`${ops}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: [
        { name: 'store', ok: true },
        { name: 'mqtt', ok: true },
      ],
    });

    const publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { protocolVersion: 4 });
    const ts = Date.now() - 30_000;
    const acked = new Promise<void>((resolve) => {
      broker.on('ack', (_p: unknown, client: Client) => {
        if (client?.id === 'ucap-ingest-main') resolve();
      });
    });
    await publisher.publishAsync(
      readingsTopic('nice', 'nice-main-01'),
      JSON.stringify({ ts, values: { pm25: 21 } }),
      {
        qos: 1,
      },
    );
    await acked;
    await publisher.endAsync();
    const metrics = await (await fetch(`${ops}/metrics`)).text();
    expect(metrics).toMatch(/ucap_ingest_readings_total\{[^}]*city="nice"[^}]*\} 1\b/);

    ingest.child.kill('SIGTERM');
    const [code] = await once(ingest.child, 'exit');
    expect(code).toBe(0);
    expect(ingest.logs.map((l) => l.msg)).toContain('stopped cleanly');

    // The process released the store; what it acknowledged is there.
    const store = await openStore(parseConfig(storeConfigSchema, { DATA_DIR: dir }), silentLogger());
    try {
      expect(await store.latest({ city: 'nice' })).toEqual([
        { city: 'nice', deviceId: 'nice-main-01', metric: 'pm25', ts, value: 21 },
      ]);
    } finally {
      await store.close();
    }
  });
});
