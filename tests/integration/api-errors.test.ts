import { writeFile } from 'node:fs/promises';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, startApiFixture } from './api-fixture.ts';

/** How the API refuses and fails: every error names its code; 400s name the parameter. */
let fixture: ApiFixture;
const logLines: string[] = [];

beforeAll(async () => {
  const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  fixture = await startApiFixture({ logger });
});

afterAll(async () => {
  await fixture?.close();
});

interface ErrorBody {
  error: {
    code: string;
    message: string;
    requestId: string;
    details?: Array<{ parameter: string; problem: string; allowed?: string[] }>;
  };
}

async function get(url: string) {
  const response = await fixture.app.inject({ method: 'GET', url });
  return { status: response.statusCode, headers: response.headers, body: response.json() as ErrorBody };
}

const METRICS = [
  'pm25',
  'pm10',
  'no2',
  'o3',
  'so2',
  'co',
  'noise_laeq',
  'temperature',
  'humidity',
  'pressure',
];
const SERIES = '/v1/series?city=nice&metric=pm25';

describe('400 API_BAD_REQUEST names the parameter and what is allowed', () => {
  it.each([
    ['/v1/latest?city=paris', 'city', /"paris" is not a city/, ['nice', 'zhengzhou']],
    ['/v1/latest', 'city', /is required/, ['nice', 'zhengzhou']],
    ['/v1/sensors?city=NICE', 'city', /"NICE" is not a city/, ['nice', 'zhengzhou']],
    ['/v1/latest?city=nice&metric=pm2.5', 'metric', /"pm2\.5" is not a metric/, METRICS],
    ['/v1/series?city=nice', 'metric', /is required/, METRICS],
    [`${SERIES}&every=30s`, 'every', /at least 1m/, undefined],
    [`${SERIES}&every=1w`, 'every', /minutes, hours or days/, undefined],
    [`${SERIES}&from=yesterday`, 'from', /"yesterday" is not an RFC 3339 time/, undefined],
    [`${SERIES}&to=2026-11-29T08:00:00`, 'to', /not an RFC 3339 time with offset/, undefined],
    [
      `${SERIES}&agg=avg`,
      'agg',
      /"avg" is not an aggregate/,
      ['mean', 'min', 'max', 'count', 'p50', 'p90', 'p95', 'p98'],
    ],
    [
      `${SERIES}&agg=p99`,
      'agg',
      /"p99" is not an aggregate/,
      ['mean', 'min', 'max', 'count', 'p50', 'p90', 'p95', 'p98'],
    ],
    [`${SERIES}&include=counts`, 'include', /"counts" is not something a series can include/, ['coverage']],
    [
      `${SERIES}&validity=eu2008`,
      'validity',
      /not a set of data-validity rules/,
      ['eu', 'china', 'who', 'epa'],
    ],
    ['/v1/rejections?limit=0', 'limit', /from 1 to 1000/, undefined],
    ['/v1/rejections?limit=1001', 'limit', /at most 1000/, undefined],
    ['/v1/rejections?limit=ten', 'limit', /whole number/, undefined],
    ['/v1/latest?city=nice&device=a%2Fb', 'device', /device id/, undefined],
    ['/v1/latest?city=nice&city=zhengzhou', 'city', /once/, ['nice', 'zhengzhou']],
  ])('%s → %s', async (url, parameter, problem, allowed) => {
    const { status, body } = await get(url);
    expect(status).toBe(400);
    expect(body.error.code).toBe('API_BAD_REQUEST');
    expect(body.error.message).toContain(parameter);
    expect(body.error.details).toHaveLength(1);
    const detail = body.error.details?.[0];
    expect(detail?.parameter).toBe(parameter);
    expect(detail?.problem).toMatch(problem);
    expect(detail?.allowed).toEqual(allowed);
  });

  it('lists every bad parameter at once', async () => {
    const { body } = await get('/v1/series?city=lyon&metric=pm1&agg=median');
    expect(body.error.details?.map((d) => d.parameter)).toEqual(['city', 'metric', 'agg']);
  });

  it('refuses parameters the endpoint does not have, listing the ones it has', async () => {
    const { status, body } = await get('/v1/latest?city=nice&metrc=pm25');
    expect(status).toBe(400);
    expect(body.error.details).toEqual([
      {
        parameter: 'metrc',
        problem: 'is not a parameter of this endpoint',
        allowed: ['city', 'metric', 'device'],
      },
    ]);
  });

  it('refuses a range that ends before it starts', async () => {
    const { status, body } = await get(`${SERIES}&from=2026-11-29T10:00:00Z&to=2026-11-29T09:00:00Z`);
    expect(status).toBe(400);
    expect(body.error.details?.[0]).toMatchObject({
      parameter: 'from',
      problem: expect.stringMatching(/not before to/),
    });
    const rejections = await get('/v1/rejections?from=2026-11-29T10:00:00Z&to=2026-11-29T10:00:00Z');
    expect(rejections.body.error.details?.[0]?.parameter).toBe('from');
  });

  it('caps a series at 10 000 buckets and says so', async () => {
    const { status, body } = await get(
      `${SERIES}&every=1m&from=2026-11-01T00:00:00Z&to=2026-11-29T00:00:00Z`,
    );
    expect(status).toBe(400);
    expect(body.error.details?.[0]?.parameter).toBe('every');
    expect(body.error.details?.[0]?.problem).toMatch(/40320 buckets; at most 10000/);
    const justInside = await fixture.app.inject(
      `${SERIES}&every=1m&from=2026-11-22T00:00:00Z&to=2026-11-28T22:40:00Z`,
    );
    expect(justInside.statusCode).toBe(200);
  });
});

describe('404 and 500', () => {
  it('answers unknown routes with API_NOT_FOUND and points at the docs', async () => {
    const { status, body } = await get('/v1/measurements?city=nice');
    expect(status).toBe(404);
    expect(body.error).toMatchObject({
      code: 'API_NOT_FOUND',
      message: 'no route GET /v1/measurements; the API is described at /docs',
    });
  });

  it('echoes the request id a client sends, in the header and in error bodies', async () => {
    const response = await fixture.app.inject({
      url: '/v1/latest?city=x',
      headers: { 'x-request-id': 'trace-42' },
    });
    expect(response.headers['x-request-id']).toBe('trace-42');
    expect((response.json() as ErrorBody).error.requestId).toBe('trace-42');
  });

  it('answers an internal failure with API_INTERNAL, leaks nothing, and logs the cause with the request id', async () => {
    // A corrupt registry file is a real internal fault the researcher cannot fix.
    await writeFile(fixture.registryFile, '{ not json at all');
    const { status, body } = await get('/v1/sensors');
    expect(status).toBe(500);
    expect(body.error.code).toBe('API_INTERNAL');
    expect(body.error.message).toBe(
      'the server failed while answering; quote the request id when reporting it',
    );
    expect(JSON.stringify(body)).not.toMatch(/REGISTRY|registry|json|\/tmp|at /);
    const logged = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.reqId === body.error.requestId && l.level === 50);
    expect(logged).toMatchObject({ msg: 'request failed', code: 'API_INTERNAL' });
    expect(JSON.stringify(logged)).toMatch(/REGISTRY_CORRUPT|registry/i);
  });
});

describe('503 when the store is unavailable', () => {
  let closed: ApiFixture;

  beforeAll(async () => {
    closed = await startApiFixture();
    await closed.store.close();
  });

  afterAll(async () => {
    await closed?.close();
  });

  it('reports not ready and answers data routes with a store error code', async () => {
    const ready = await closed.app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({
      status: 'not ready',
      checks: [{ name: 'store:duckdb', ok: false }],
    });
    const latest = await closed.app.inject('/v1/latest?city=nice');
    expect(latest.statusCode).toBe(503);
    expect((latest.json() as ErrorBody).error).toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: 'the time-series store is unavailable; retry later',
    });
    expect((await closed.app.inject('/healthz')).statusCode).toBe(200);
  });
});
