import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { z } from 'zod';
import { apiConfigSchema } from '../../api/api-config.ts';
import { gatewayConfigSchema } from '../../gateway/gateway-config.ts';
import { ingestConfigSchema } from '../../ingest/ingest-config.ts';
import { parseConfig } from '../../platform/config.ts';
import { simulatorConfigSchema } from '../../simulators/simulator-config.ts';

// Docker does not run here: these tests read docker-compose.yml as Compose would and check that
// every service, port, volume and variable it references exists and fits our services' config.

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

const envExample = Object.fromEntries(
  readFileSync('.env.example', 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

const rawCompose = readFileSync('docker-compose.yml', 'utf8');

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}, from the .env file. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\{([A-Z_][A-Z0-9_]*)(?::([-?])([^}]*))?\}/g,
    (_all, name: string, op?: string, arg?: string) => {
      const value = env[name];
      if (value !== undefined && value !== '') return value;
      if (op === '-') return arg ?? '';
      if (op === '?') throw new Error(`compose would stop: ${name} ${arg}`);
      return '';
    },
  );
}

const compose = parse(interpolate(rawCompose, envExample), { merge: true }) as ComposeFile;
const packageScripts = (
  JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
).scripts;

const ucapServices: Record<string, z.ZodObject> = {
  gateway: gatewayConfigSchema,
  ingest: ingestConfigSchema,
  api: apiConfigSchema,
  simulators: simulatorConfigSchema,
};

describe('docker-compose.yml', () => {
  it('has the whole system: InfluxDB, gateway, ingest, API, simulators and Grafana', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'api',
      'gateway',
      'grafana',
      'influxdb',
      'ingest',
      'simulators',
    ]);
  });

  it('needs only the secrets .env.example names', () => {
    const required = [...rawCompose.matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]);
    for (const name of required)
      expect(Object.keys(envExample), `${name} missing from .env.example`).toContain(name);
    expect(() => interpolate(rawCompose, {})).toThrow(/set .* in \.env/);
  });

  it.each(Object.keys(ucapServices))(
    'starts %s with an npm script that exists, from the Dockerfile build',
    (name) => {
      const service = compose.services[name];
      expect(service?.build).toBe('.');
      expect(existsSync('Dockerfile')).toBe(true);
      const [npm, verb, script] = service?.command ?? [];
      expect([npm, verb]).toEqual(['npm', 'run']);
      expect(Object.keys(packageScripts)).toContain(script);
    },
  );

  it.each(Object.entries(ucapServices))(
    'gives %s an environment its config schema accepts, with no unknown variable',
    (name, schema) => {
      const env = compose.services[name]?.environment ?? {};
      for (const variable of Object.keys(env))
        expect(Object.keys(schema.shape), `${name}: ${variable}`).toContain(variable);
      expect(() => parseConfig(schema, env)).not.toThrow();
    },
  );

  it('publishes each service port on loopback only, at the port the service is configured with', () => {
    const configuredPort: Record<string, string[]> = {
      gateway: ['MQTT_PORT', 'GATEWAY_HTTP_PORT'],
      ingest: ['INGEST_HTTP_PORT'],
      api: ['API_PORT'],
    };
    for (const [name, variables] of Object.entries(configuredPort)) {
      const service = compose.services[name];
      const published = (service?.ports ?? []).map((p) => p.split(':'));
      for (const variable of variables) {
        const port = service?.environment?.[variable];
        expect(published, `${name} ${variable}`).toContainEqual(['127.0.0.1', port, port]);
      }
      expect(service?.environment?.BIND_HOST, `${name} must listen on the container network`).toBe('0.0.0.0');
    }
    for (const service of Object.values(compose.services)) {
      for (const port of service.ports ?? []) expect(port.startsWith('127.0.0.1:')).toBe(true);
    }
  });

  it('turns on mqtts and MQTT over WebSocket from .env, published on loopback at the ports the gateway listens on', () => {
    const withTls = parse(
      interpolate(rawCompose, {
        ...envExample,
        MQTT_TLS_PORT: '8883',
        MQTT_TLS_CERT: '/certs/gateway.crt',
        MQTT_TLS_KEY: '/certs/gateway.key',
        MQTT_WS_PORT: '9884',
      }),
      { merge: true },
    ) as ComposeFile;
    const gateway = withTls.services.gateway;
    const config = parseConfig(gatewayConfigSchema, gateway?.environment ?? {});
    expect(config).toMatchObject({
      MQTT_TLS_PORT: 8883,
      MQTT_TLS_CERT: '/certs/gateway.crt',
      MQTT_WS_PORT: 9884,
    });
    expect(gateway?.ports).toEqual(expect.arrayContaining(['127.0.0.1:8883:8883', '127.0.0.1:9884:9884']));
    expect(gateway?.volumes).toContain('gateway-tls:/certs:ro');
    // Unset in .env: the listeners stay off (an empty variable means "not set").
    const plain = parseConfig(gatewayConfigSchema, compose.services.gateway?.environment ?? {});
    expect(plain.MQTT_TLS_PORT).toBeUndefined();
    expect(plain.MQTT_WS_PORT).toBeUndefined();
  });

  it('points every client at a service that exists, on the port that service listens on', () => {
    for (const service of Object.values(compose.services)) {
      const env = service.environment ?? {};
      if (env.MQTT_HOST !== undefined) {
        expect(env.MQTT_HOST).toBe('gateway');
        expect(env.MQTT_PORT).toBe(compose.services.gateway?.environment?.MQTT_PORT);
      }
      if (env.INFLUX_URL !== undefined) {
        expect(env.INFLUX_URL).toBe('http://influxdb:8086');
        expect(env.INFLUX_DB).toBe(compose.services.influxdb?.environment?.INFLUXDB_DB);
        expect(env.INFLUX_USERNAME).toBe(compose.services.influxdb?.environment?.INFLUXDB_USER);
        expect(env.INFLUX_PASSWORD).toBe(compose.services.influxdb?.environment?.INFLUXDB_USER_PASSWORD);
      }
    }
  });

  it('declares every named volume it mounts, and every bind-mounted path exists in the repository', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('./')) expect(existsSync(source), `${name}: ${source}`).toBe(true);
        else expect(Object.keys(compose.volumes), `${name}: ${source}`).toContain(source);
      }
    }
  });

  it('shares the device registry volume between the services that read or write it', () => {
    for (const name of ['gateway', 'ingest', 'api', 'simulators']) {
      expect(compose.services[name]?.volumes).toContain('devices:/data');
      expect(compose.services[name]?.environment?.DATA_DIR).toBe('/data');
    }
  });

  it('waits only on services that exist and have a health check', () => {
    for (const service of Object.values(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(Object.keys(compose.services)).toContain(dependency);
        if (condition === 'service_healthy') expect(compose.services[dependency]?.healthcheck).toBeDefined();
      }
    }
  });

  it('gives Grafana every variable its provisioned datasource reads', () => {
    const datasources = readFileSync('dashboards/provisioning/datasources/datasources.yaml', 'utf8');
    const variables = [...datasources.matchAll(/\$([A-Z_]+)/g)].map((m) => m[1]);
    expect(variables.length).toBeGreaterThan(0);
    for (const variable of variables)
      expect(Object.keys(compose.services.grafana?.environment ?? {})).toContain(variable);
  });
});

describe('Dockerfile', () => {
  /** Top-level folders of this repository that a file reaches through its relative imports. */
  function foldersReachedFrom(entries: readonly string[]): Set<string> {
    const seen = new Set<string>();
    const folders = new Set<string>();
    const pending = [...entries];
    while (pending.length > 0) {
      const file = pending.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      folders.add(file.split('/')[0] as string);
      const text = readFileSync(file, 'utf8');
      for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = join(dirname(file), specifier as string);
        if (existsSync(target) && /\.(ts|js|json|cjs)$/.test(target)) pending.push(target);
      }
    }
    return folders;
  }

  it('copies every folder the services and the CLI import into the image', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const copied = new Set([...dockerfile.matchAll(/^COPY (\S+) \.\/\1$/gm)].map(([, dir]) => dir));
    const entries = Object.values(packageScripts)
      .map((script) => /^tsx (\S+\.ts)$/.exec(script)?.[1])
      .filter((entry): entry is string => entry !== undefined && !entry.startsWith('bench/'))
      .concat('bin/ucap.js');
    const needed = foldersReachedFrom(entries);
    expect(needed.size).toBeGreaterThan(5);
    for (const folder of needed) expect(copied, `COPY ${folder} ./${folder}`).toContain(folder);
  });
});
