import type { FastifyInstance } from 'fastify';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/build-api.ts';
import { type PresenceSource, presenceFileSource, presencePath } from '../../devices/presence-file.ts';
import { loadCityCatalog } from '../../platform/city-config.ts';
import { silentLogger } from '../../platform/logger.ts';
import { createMetricsRegistry } from '../../platform/metrics.ts';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';
import { startTestGateway, type TestGateway } from './gateway-fixture.ts';

// Issue 8 "presence": /v1/sensors says whether each device is connected now, and when it last
// connected and disconnected; with the API in the gateway's process, and as its own process
// reading DATA_DIR/presence.json.
interface SensorPresence {
  connected: boolean | null;
  lastConnectedAt: string | null;
  lastDisconnectedAt: string | null;
}

let store: TimeSeriesStore;
const apis: FastifyInstance[] = [];

async function apiWith(
  gw: TestGateway,
  presence: PresenceSource,
): Promise<(id: string) => Promise<SensorPresence>> {
  const api = await buildApi({
    store,
    cities: loadCityCatalog(),
    registry: gw.registry,
    logger: silentLogger(),
    metrics: createMetricsRegistry(`presence-${apis.length}`),
    presence,
  });
  apis.push(api);
  const base = await api.listen({ host: '127.0.0.1', port: 0 });
  return async (id) => {
    const body = (await (await fetch(`${base}/v1/sensors`)).json()) as {
      sensors: Array<{ id: string; presence: SensorPresence }>;
    };
    const sensor = body.sensors.find((s) => s.id === id);
    if (!sensor) throw new Error(`no sensor ${id}`);
    return sensor.presence;
  };
}

async function eventually<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const connect = (gw: TestGateway, creds: { username: string; password: string }): Promise<MqttClient> =>
  connectAsync(gw.url, { protocolVersion: 4, reconnectPeriod: 0, ...creds });

beforeAll(async () => {
  store = await createDuckDbStore({ path: ':memory:' });
});

afterAll(async () => {
  for (const api of apis) await api.close();
  await store.close();
});

describe('/v1/sensors presence', () => {
  it('in the gateway process: connected now, last connected and disconnected', async () => {
    const gw = await startTestGateway();
    try {
      const creds = await gw.registry.add({ id: 'present-1', city: 'nice' });
      const presenceOf = await apiWith(gw, gw.gateway.presence);
      expect(await presenceOf('present-1')).toEqual({
        connected: false,
        lastConnectedAt: null,
        lastDisconnectedAt: null,
      });
      const before = Date.now();
      const device = await connect(gw, creds);
      const online = await presenceOf('present-1');
      expect(online.connected).toBe(true);
      expect(Date.parse(online.lastConnectedAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
      await device.endAsync();
      const offline = await eventually(
        () => presenceOf('present-1'),
        (p) => p.connected === false,
      );
      expect(offline.connected).toBe(false);
      expect(offline.lastDisconnectedAt).not.toBeNull();
    } finally {
      await gw.close();
    }
  });

  it('as a separate API process: from DATA_DIR/presence.json, unknown (null) once the gateway is gone', async () => {
    const gatewayWithFile = await startTestGateway({ presenceFile: true });
    try {
      const creds = await gatewayWithFile.registry.add({ id: 'present-2', city: 'nice' });
      const path = presencePath(gatewayWithFile.dataDir);
      const presenceOf = await apiWith(gatewayWithFile, presenceFileSource(path));
      const device = await connect(gatewayWithFile, creds);
      const online = await eventually(
        () => presenceOf('present-2'),
        (p) => p.connected === true,
      );
      expect(online.connected).toBe(true);
      await device.endAsync();
      const offline = await eventually(
        () => presenceOf('present-2'),
        (p) => p.connected === false,
      );
      expect(offline.lastDisconnectedAt).not.toBeNull();
      // A file no gateway refreshes any more (gateway crashed) says nothing about now.
      const later = await apiWith(
        gatewayWithFile,
        presenceFileSource(path, () => Date.now() + 10 * 60_000),
      );
      expect((await later('present-2')).connected).toBeNull();
    } finally {
      await gatewayWithFile.close();
    }
  });
});
