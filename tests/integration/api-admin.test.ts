import type { FastifyInstance } from 'fastify';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/build-api.ts';
import { loadCityCatalog } from '../../platform/city-config.ts';
import { silentLogger } from '../../platform/logger.ts';
import { createMetricsRegistry } from '../../platform/metrics.ts';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';
import { mosquittoPub, startTestGateway, type TestGateway } from './gateway-fixture.ts';

// Issue 8 "admin HTTP API": real HTTP through fastify, the real registry file a real gateway reads.
const TOKEN = 'admin-token-for-tests-0123456789';
let gw: TestGateway;
let store: TimeSeriesStore;
let api: FastifyInstance;
let closedApi: FastifyInstance;
let base: string;
let closedBase: string;

async function call(path: string, init: RequestInit & { token?: string | null } = {}) {
  const { token = TOKEN, ...rest } = init;
  const headers: Record<string, string> = { ...(rest.body ? { 'content-type': 'application/json' } : {}) };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${base}${path}`, { ...rest, headers });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
    response,
  };
}

beforeAll(async () => {
  gw = await startTestGateway();
  store = await createDuckDbStore({ path: ':memory:' });
  const common = { store, cities: loadCityCatalog(), registry: gw.registry, logger: silentLogger() };
  api = await buildApi({
    ...common,
    metrics: createMetricsRegistry('t1'),
    admin: { token: TOKEN, registry: gw.registry },
  });
  base = await api.listen({ host: '127.0.0.1', port: 0 });
  closedApi = await buildApi({ ...common, metrics: createMetricsRegistry('t2') });
  closedBase = await closedApi.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await api.close();
  await closedApi.close();
  await gw.close();
  await store.close();
});

describe('admin API', () => {
  it('does not exist without ADMIN_TOKEN (404)', async () => {
    const response = await fetch(`${closedBase}/v1/admin/devices`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(404);
  });

  it('answers 401 without a token or with a wrong one', async () => {
    for (const token of [null, 'wrong-token', `${TOKEN}x`]) {
      const { status, body, response } = await call('/v1/admin/devices', { token });
      expect(status).toBe(401);
      expect(body).toMatchObject({ error: { code: 'API_UNAUTHORIZED' } });
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const post = await call('/v1/admin/devices', {
      method: 'POST',
      token: 'nope',
      body: JSON.stringify({ id: 'sneaky', city: 'nice' }),
    });
    expect(post.status).toBe(401);
    expect(await gw.registry.get('sneaky')).toBeUndefined();
  });

  it('registers (201), lists, rotates and removes a device; the gateway follows each change', async () => {
    const created = await call('/v1/admin/devices', {
      method: 'POST',
      body: JSON.stringify({ id: 'remote-1', city: 'nice', lat: 43.7, lon: 7.26, site: 'Port' }),
    });
    expect(created.status).toBe(201);
    const creds = created.body as { id: string; city: string; username: string; password: string };
    expect(creds).toMatchObject({ id: 'remote-1', city: 'nice', username: 'remote-1' });
    const pub = await mosquittoPub(
      gw.port,
      creds.username,
      creds.password,
      'ucap/nice/remote-1/readings',
      '{}',
      1,
    );
    expect(pub.code, pub.stderr).toBe(0);

    const again = await call('/v1/admin/devices', {
      method: 'POST',
      body: JSON.stringify({ id: 'remote-1', city: 'nice' }),
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'DEVICE_EXISTS' } });
    const badCity = await call('/v1/admin/devices', {
      method: 'POST',
      body: JSON.stringify({ id: 'x-1', city: 'atlantis' }),
    });
    expect(badCity.status).toBe(400);

    const list = await call('/v1/admin/devices');
    expect(list.status).toBe(200);
    const devices = (list.body as { devices: Array<Record<string, unknown>> }).devices;
    expect(devices.find((d) => d.id === 'remote-1')).toMatchObject({
      location: { lat: 43.7, lon: 7.26, name: 'Port' },
    });
    expect(JSON.stringify(list.body)).not.toContain('scrypt');

    const rotated = await call('/v1/admin/devices/remote-1/rotate', { method: 'POST' });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body as { password: string };
    expect(fresh.password).not.toBe(creds.password);
    const old = await mosquittoPub(
      gw.port,
      creds.username,
      creds.password,
      'ucap/nice/remote-1/readings',
      '{}',
      1,
    );
    expect(old.code).not.toBe(0);

    const device = await connectAsync(gw.url, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      username: 'remote-1',
      password: fresh.password,
    });
    device.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    const removed = await call('/v1/admin/devices/remote-1', { method: 'DELETE' });
    expect(removed.status).toBe(204);
    await closed;
    expect((await call('/v1/admin/devices/remote-1', { method: 'DELETE' })).status).toBe(404);
    expect((await call('/v1/admin/devices/remote-1/rotate', { method: 'POST' })).status).toBe(404);
  });

  it('documents the admin routes in the OpenAPI document with a bearer security scheme', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.components.securitySchemes.adminBearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/admin/devices',
        '/v1/admin/devices/{id}',
        '/v1/admin/devices/{id}/rotate',
      ]),
    );
    expect(doc.paths['/v1/admin/devices']?.post?.security).toEqual([{ adminBearer: [] }]);
  });
});
