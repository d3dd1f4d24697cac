import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApiKeys } from '../../api/api-keys.ts';
import { isUcapError } from '../../domain/errors.ts';
import { type ApiFixture, startApiFixture } from './api-fixture.ts';

/** Optional API keys: Bearer on /v1, operator role for raw rejected payloads, per-key rate limits. */
const READER = 'reader-key-0123456789';
const OPERATOR = 'operator-key-0123456789';
const SMALL = 'small-quota-key-0123456789';
let fixture: ApiFixture;
let base: string;

let keyDir: string;

beforeAll(async () => {
  keyDir = await mkdtemp(join(tmpdir(), 'ucap-keys-'));
  const file = join(keyDir, 'api-keys.json');
  await writeFile(
    file,
    JSON.stringify([
      { key: OPERATOR, name: 'ops', role: 'operator' },
      { key: SMALL, name: 'small', rateLimitMax: 2 },
    ]),
  );
  const apiKeys = loadApiKeys({ API_KEYS_FILE: file, API_KEYS: READER });
  fixture = await startApiFixture({
    ...(apiKeys === undefined ? {} : { apiKeys }),
    limits: { rateLimitMax: 100 },
  });
  base = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await fixture?.close();
  await rm(keyDir, { recursive: true, force: true });
});

const get = (path: string, key?: string) =>
  fetch(`${base}${path}`, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } });

describe('API keys', () => {
  it('refuses /v1 without a key or with an unknown one (401, WWW-Authenticate), keeps probes and docs open', async () => {
    const none = await get('/v1/cities');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('API_UNAUTHORIZED');
    expect((await get('/v1/cities', 'not-a-key-at-all-000000')).status).toBe(401);
    expect((await get('/v1/cities', READER)).status).toBe(200);
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/openapi.json')).status).toBe(200);
  });

  it('shows raw rejected payloads to operator keys only', async () => {
    type Body = { rejections: { payload: string | null; reason: string }[] };
    const asReader = (await (await get('/v1/rejections', READER)).json()) as Body;
    expect(asReader.rejections.length).toBeGreaterThan(0);
    expect(asReader.rejections.every((r) => r.payload === null && r.reason.length > 0)).toBe(true);
    const asOperator = (await (await get('/v1/rejections', OPERATOR)).json()) as Body;
    expect(asOperator.rejections.every((r) => typeof r.payload === 'string')).toBe(true);
  });

  it('counts rate limits per key, with a key’s own limit', async () => {
    expect((await get('/v1/cities', SMALL)).status).toBe(200);
    expect((await get('/v1/cities', SMALL)).status).toBe(200);
    expect((await get('/v1/cities', SMALL)).status).toBe(429);
    expect((await get('/v1/cities', OPERATOR)).status).toBe(200);
  });

  it('refuses short keys and unreadable key files at start-up, naming the variable', () => {
    const fail = (config: Parameters<typeof loadApiKeys>[0]) => {
      try {
        loadApiKeys(config);
      } catch (error) {
        expect(isUcapError(error, 'CONFIG_INVALID')).toBe(true);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(fail({ API_KEYS: 'short' })).toMatch(/^API_KEYS: entry 1/);
    expect(fail({ API_KEYS_FILE: join(keyDir, 'missing.json') })).toMatch(/^API_KEYS_FILE: /);
    expect(loadApiKeys({})).toBeUndefined();
  });
});
