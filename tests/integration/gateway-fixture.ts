import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import pino from 'pino';
import { Registry } from 'prom-client';
import {
  type DeviceRegistry,
  deviceRegistryPath,
  openDeviceRegistry,
} from '../../devices/device-registry.ts';
import { presencePath } from '../../devices/presence-file.ts';
import { DEFAULT_TIME_POLICY } from '../../domain/timestamps.ts';
import {
  createGateway,
  type Gateway,
  type GatewayIntakeOption,
  type GatewayLimits,
} from '../../gateway/gateway.ts';
import { createReadingPipeline } from '../../ingest/reading-pipeline.ts';
import { loadCityCatalog } from '../../platform/city-config.ts';
import { silentLogger } from '../../platform/logger.ts';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';

export interface TestGateway {
  readonly dataDir: string;
  readonly registry: DeviceRegistry;
  readonly gateway: Gateway;
  readonly metrics: Registry;
  /** Every log line the gateway wrote, as raw JSON text. */
  readonly logs: string[];
  readonly port: number;
  readonly url: string;
  readonly service: { readonly username: string; readonly password: string };
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  readonly limits?: Partial<GatewayLimits>;
  /** Where readings go before their PUBACK; without one the gateway is a plain broker (acknowledged on receipt, routed to subscribers). */
  readonly intake?: GatewayIntakeOption;
  /** Reuse a DATA_DIR (a restart); it is then left in place on close. */
  readonly dataDir?: string;
  readonly port?: number;
  /** Write DATA_DIR/presence.json, as `npm run gateway` does. */
  readonly presenceFile?: boolean;
  /** The registry of DATA_DIR when the intake already holds one (one instance per file). */
  readonly registry?: DeviceRegistry;
}

/** A real gateway on a free loopback port, with its registry in a fresh temp DATA_DIR. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'ucap-gateway-')));
  const registry = options.registry ?? openDeviceRegistry(deviceRegistryPath(dataDir));
  const metrics = new Registry();
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
  const service = { username: 'ucap-ingest', password: 'test-service-secret-0123' };
  const gateway = await createGateway({
    registry,
    cities: loadCityCatalog(),
    serviceAccount: service,
    host: '127.0.0.1',
    port: options.port ?? 0,
    logger,
    metrics,
    ...(options.limits && { limits: options.limits }),
    ...(options.intake && { intake: options.intake }),
    ...(options.presenceFile && { presencePath: presencePath(dataDir) }),
  });
  const { port } = await gateway.listen();
  return {
    dataDir,
    registry,
    gateway,
    metrics,
    logs,
    port,
    url: `mqtt://127.0.0.1:${port}`,
    service,
    async close() {
      await gateway.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Received {
  readonly topic: string;
  readonly payload: string;
  readonly qos: number;
}

/** Collects what a subscriber receives and lets a test await a particular message. */
export class Inbox {
  readonly messages: Received[] = [];
  readonly #waiters: Array<{ match: (m: Received) => boolean; resolve: (m: Received) => void }> = [];

  constructor(client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const message = { topic, payload: payload.toString('utf8'), qos: packet.qos };
      this.messages.push(message);
      for (const waiter of this.#waiters.filter((w) => w.match(message))) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    });
  }

  /** Resolves with the first message (already received or future) that matches. */
  waitFor(match: (m: Received) => boolean, description: string, timeoutMs = 10_000): Promise<Received> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no message ${description} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  payloads(): string[] {
    return this.messages.map((m) => m.payload);
  }
}

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion (killed after timeoutMs), capturing its output. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * An mqtt.js client logged in with `creds` (no reconnects), kept in `clients` for the test to
 * end; connection errors after a refusal (the gateway cuts the socket) are expected and ignored.
 */
export async function connectClient(
  url: string,
  creds: { readonly username: string; readonly password: string },
  extra: IClientOptions,
  clients: MqttClient[],
): Promise<MqttClient> {
  const client = await connectAsync(url, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    username: creds.username,
    password: creds.password,
    ...extra,
  });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

/** `mosquitto_pub` as a device would run it. */
export function mosquittoPub(
  port: number,
  username: string,
  password: string,
  topic: string,
  message: string,
  qos: 0 | 1,
): Promise<ProcessResult> {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-u', username, '-P', password];
  return runProcess('mosquitto_pub', [...args, '-t', topic, '-m', message, '-q', String(qos)]);
}

/** The current value of one labelled series in the gateway's Prometheus registry (0 if absent). */
export async function metricValue(
  metrics: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = metrics.getSingleMetric(name);
  if (!metric) throw new Error(`metric ${name} is not registered`);
  const { values } = await metric.get();
  const found = values.find((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want));
  return found?.value ?? 0;
}

/** A real gateway storing readings itself (GATEWAY_INGEST=embedded) in a real in-memory DuckDB. */
export interface EmbeddedTestGateway {
  readonly gw: TestGateway;
  readonly store: TimeSeriesStore;
  /** The registry the pipeline's metrics are on. */
  readonly metrics: Registry;
  close(): Promise<void>;
}

export async function startEmbeddedTestGateway(
  options: { readonly maxRejectionsPerDeviceMinute?: number } = {},
): Promise<EmbeddedTestGateway> {
  const store = await createDuckDbStore({ path: ':memory:' });
  const metrics = new Registry();
  const pipeline = createReadingPipeline({
    store,
    formatOf: async () => 'native',
    cities: loadCityCatalog(),
    timePolicy: DEFAULT_TIME_POLICY,
    batch: { flushIntervalMs: 20 },
    logger: silentLogger(),
    metrics,
    ...options,
  });
  const gw = await startTestGateway({ intake: { kind: 'embedded', pipeline } });
  return {
    gw,
    store,
    metrics,
    async close() {
      await gw.close();
      await pipeline.close();
      await store.close();
    },
  };
}
