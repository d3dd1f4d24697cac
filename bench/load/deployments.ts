import { randomBytes } from 'node:crypto';
import { deviceRegistryPath } from '../../devices/device-registry.ts';
import { freePort } from '../../tests/setup/free-port.ts';
import { type ServiceProcess, type ServiceSpec, startService, tail } from './service-process.ts';
import { countStoredInInflux, countStoredViaApi } from './stored-counts.ts';

/**
 * The two ways README runs the pipeline, started as real processes on free loopback ports:
 * - all-in-one: `tsx app/main.ts` (npm start) on the embedded store, simulators off;
 * - separate: `tsx gateway/main.ts` + `tsx ingest/main.ts` + `tsx api/main.ts` on an InfluxDB 1.x
 *   the caller started (e.g. tests/setup/influxd.ts).
 * Every process gets the environment below plus the caller's `env[name]`, so a variable can be
 * changed per process without touching this file.
 */
export type DeploymentKind = 'all-in-one' | 'separate';
export type ServiceName = 'app' | 'gateway' | 'ingest' | 'api';

export interface DeploymentOptions {
  readonly kind: DeploymentKind;
  /** DATA_DIR of every process (the device registry lives there; a temp dir). */
  readonly dataDir: string;
  /** separate only: the InfluxDB 1.x server and database. */
  readonly influxUrl?: string;
  readonly influxDatabase?: string;
  /** Extra variables per process, overriding the defaults. */
  readonly env?: Partial<Record<ServiceName, NodeJS.ProcessEnv>>;
  /** The log message that says a process is up, where it differs from today's (see *Specs below). */
  readonly readyLog?: Partial<Record<ServiceName, RegExp>>;
}

export interface Deployment {
  readonly kind: DeploymentKind;
  readonly mqttUrl: string;
  readonly apiUrl: string;
  /** The registry file the gateway reads: provision devices here. */
  readonly registryPath: string;
  /** The processes running now, in start order. */
  services(): readonly ServiceProcess[];
  service(name: ServiceName): ServiceProcess | undefined;
  /**
   * Kills one process with `signal` (SIGKILL: a crash) and starts it again with the same
   * environment and ports; resolves when it is ready again.
   */
  restart(name: ServiceName, signal?: NodeJS.Signals): Promise<ServiceProcess>;
  /** Stored readings of `metric` (default pm25) per device, for ts in [from, to). */
  countStored(range: { from: number; to: number; cities: readonly string[] }): Promise<Map<string, number>>;
  /** Stops every process (Ctrl-C, in reverse start order). */
  stop(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

export async function startDeployment(options: DeploymentOptions): Promise<Deployment> {
  const made = options.kind === 'all-in-one' ? await allInOneSpecs(options) : await separateSpecs(options);
  const specs: DeploymentSpecs = {
    ...made,
    services: new Map(
      [...made.services].map(([name, spec]) => [
        name,
        { ...spec, readyLog: options.readyLog?.[name] ?? spec.readyLog },
      ]),
    ),
  };
  const running = new Map<ServiceName, ServiceProcess>();
  const stop = async () => {
    for (const name of [...running.keys()].reverse()) {
      await running.get(name)?.stop();
      running.delete(name);
    }
  };
  try {
    for (const [name, spec] of specs.services)
      running.set(name, await startReady(spec, specs.readyUrls.get(name)));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    kind: options.kind,
    mqttUrl: specs.mqttUrl,
    apiUrl: specs.apiUrl,
    registryPath: deviceRegistryPath(options.dataDir),
    services: () => [...running.values()],
    service: (name) => running.get(name),
    async restart(name, signal = 'SIGKILL') {
      const spec = specs.services.get(name);
      if (spec === undefined) throw new Error(`no ${name} process in the ${options.kind} deployment`);
      await running.get(name)?.kill(signal);
      const started = await startReady(spec, specs.readyUrls.get(name));
      running.set(name, started);
      return started;
    },
    countStored({ from, to, cities }) {
      if (options.kind === 'separate' && options.influxUrl !== undefined) {
        return countStoredInInflux({ influxUrl: options.influxUrl, database: influxDatabase(options) });
      }
      return countStoredViaApi({ apiUrl: specs.apiUrl, cities, from, to });
    },
    stop,
  };
}

interface DeploymentSpecs {
  readonly mqttUrl: string;
  readonly apiUrl: string;
  readonly services: ReadonlyMap<ServiceName, ServiceSpec>;
  /** An HTTP URL answering 200 once the service is ready (after its ready log line). */
  readonly readyUrls: ReadonlyMap<ServiceName, string>;
}

async function allInOneSpecs(options: DeploymentOptions): Promise<DeploymentSpecs> {
  const mqttPort = await freePort();
  const apiPort = await freePort();
  const gatewayHttpPort = await freePort();
  const app: ServiceSpec = {
    name: 'app',
    entry: 'app/main.ts',
    readyLog: /ucap-monitor running/,
    env: {
      DATA_DIR: options.dataDir,
      BIND_HOST: LOOPBACK,
      MQTT_PORT: String(mqttPort),
      API_PORT: String(apiPort),
      GATEWAY_HTTP_PORT: String(gatewayHttpPort),
      SIMULATE: 'false',
      ...options.env?.app,
    },
  };
  return {
    mqttUrl: `mqtt://${LOOPBACK}:${mqttPort}`,
    apiUrl: `http://${LOOPBACK}:${apiPort}`,
    services: new Map([['app', app]]),
    readyUrls: new Map(),
  };
}

async function separateSpecs(options: DeploymentOptions): Promise<DeploymentSpecs> {
  if (options.influxUrl === undefined) throw new Error('the separate deployment needs influxUrl');
  const mqttPort = await freePort();
  const gatewayHttpPort = await freePort();
  const ingestHttpPort = await freePort();
  const apiPort = await freePort();
  const servicePassword = randomBytes(18).toString('base64url');
  const store = {
    INFLUX_URL: options.influxUrl,
    INFLUX_DB: influxDatabase(options),
    DATA_DIR: options.dataDir,
  };
  const gateway: ServiceSpec = {
    name: 'gateway',
    entry: 'gateway/main.ts',
    readyLog: /ucap gateway listening/,
    env: {
      DATA_DIR: options.dataDir,
      BIND_HOST: LOOPBACK,
      MQTT_PORT: String(mqttPort),
      GATEWAY_HTTP_PORT: String(gatewayHttpPort),
      MQTT_SERVICE_PASSWORD: servicePassword,
      // The gateway hands readings to ingest and PUBACKs once ingest has them durable (ignored by
      // gateways that predate it).
      GATEWAY_INGEST: 'relay',
      ...options.env?.gateway,
    },
  };
  const ingest: ServiceSpec = {
    name: 'ingest',
    entry: 'ingest/main.ts',
    readyLog: /ucap ingest/,
    env: {
      ...store,
      BIND_HOST: LOOPBACK,
      MQTT_HOST: LOOPBACK,
      MQTT_PORT: String(mqttPort),
      MQTT_SERVICE_PASSWORD: servicePassword,
      INGEST_HTTP_PORT: String(ingestHttpPort),
      ...options.env?.ingest,
    },
  };
  const api: ServiceSpec = {
    name: 'api',
    entry: 'api/main.ts',
    readyLog: /ucap API listening/,
    env: { ...store, BIND_HOST: LOOPBACK, API_PORT: String(apiPort), ...options.env?.api },
  };
  return {
    mqttUrl: `mqtt://${LOOPBACK}:${mqttPort}`,
    apiUrl: `http://${LOOPBACK}:${apiPort}`,
    services: new Map([
      ['gateway', gateway],
      ['ingest', ingest],
      ['api', api],
    ]),
    readyUrls: new Map([['ingest', `http://${LOOPBACK}:${ingestHttpPort}/readyz`]]),
  };
}

function influxDatabase(options: DeploymentOptions): string {
  return options.influxDatabase ?? 'ucap';
}

async function startReady(spec: ServiceSpec, readyUrl: string | undefined): Promise<ServiceProcess> {
  const service = await startService(spec);
  if (readyUrl === undefined) return service;
  const deadline = performance.now() + (spec.startTimeoutMs ?? 60_000);
  for (;;) {
    const ok = await fetch(readyUrl)
      .then((response) => response.ok)
      .catch(() => false);
    if (ok) return service;
    if (!service.running() || performance.now() > deadline) {
      await service.kill();
      throw new Error(`${spec.name} did not become ready at ${readyUrl}:\n${tail(service.logs)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
