import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, startApiFixture } from './api-fixture.ts';

/** The main researcher flows over real HTTP, against a real DuckDB store and registry file. */
let fixture: ApiFixture;
let base: string;

beforeAll(async () => {
  fixture = await startApiFixture();
  base = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await fixture?.close();
});

async function getJson(path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}${path}`);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: response.status, body: await response.json() };
}

describe('GET /v1/cities', () => {
  it('lists both partner cities with zone and centre', async () => {
    const { status, body } = await getJson('/v1/cities');
    expect(status).toBe(200);
    expect(body).toEqual({
      cities: [
        {
          id: 'nice',
          name: 'Nice',
          country: 'FR',
          timeZone: 'Europe/Paris',
          centre: { lat: 43.7031, lon: 7.2661 },
        },
        {
          id: 'zhengzhou',
          name: 'Zhengzhou',
          country: 'CN',
          timeZone: 'Asia/Shanghai',
          centre: { lat: 34.746, lon: 113.625 },
        },
      ],
    });
  });
});

describe('GET /v1/sensors', () => {
  it('merges the registry with stored activity, including silent and unregistered devices', async () => {
    const { status, body } = await getJson('/v1/sensors?city=nice');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      sensors: [
        {
          id: 'nice-arson-01',
          city: 'nice',
          registered: true,
          format: 'native',
          location: { lat: 43.702075, lon: 7.286256, name: 'Nice Arson' },
          meta: { model: 'SDS011' },
          metrics: ['no2', 'pm25', 'temperature'],
          lastSeen: { ts: '2026-11-29T09:50:00Z', localTime: '2026-11-29T10:50:00+01:00' },
        },
        {
          id: 'nice-old-01',
          city: 'nice',
          registered: false,
          format: null,
          location: null,
          meta: {},
          registeredAt: null,
          metrics: ['pm25'],
          lastSeen: { ts: '2026-11-29T08:30:00Z', localTime: '2026-11-29T09:30:00+01:00' },
        },
        {
          id: 'nice-promenade-01',
          city: 'nice',
          registered: true,
          location: null,
          metrics: [],
          lastSeen: null,
        },
      ],
    });
    const sensors = (body as { sensors: Array<{ registeredAt: string | null }> }).sensors;
    expect(sensors[0]?.registeredAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('lists every city when no city is given', async () => {
    const { body } = await getJson('/v1/sensors');
    const ids = (body as { sensors: Array<{ city: string; id: string }> }).sensors.map(
      (s) => `${s.city}/${s.id}`,
    );
    expect(ids).toEqual([
      'nice/nice-arson-01',
      'nice/nice-old-01',
      'nice/nice-promenade-01',
      'zhengzhou/zz-shijiance-01',
    ]);
  });
});

describe('GET /v1/latest', () => {
  it('gives the latest value per device and metric with unit, name and Nice local time', async () => {
    const { status, body } = await getJson('/v1/latest?city=nice');
    expect(status).toBe(200);
    expect(body).toEqual({
      city: 'nice',
      timeZone: 'Europe/Paris',
      values: [
        {
          deviceId: 'nice-arson-01',
          metric: 'no2',
          displayName: 'Nitrogen dioxide (NO₂)',
          unit: 'µg/m³',
          value: 25.5,
          ts: '2026-11-29T09:30:00Z',
          localTime: '2026-11-29T10:30:00+01:00',
          timeSource: 'device',
        },
        {
          deviceId: 'nice-arson-01',
          metric: 'pm25',
          displayName: 'PM2.5',
          unit: 'µg/m³',
          value: 50,
          ts: '2026-11-29T09:50:00Z',
          localTime: '2026-11-29T10:50:00+01:00',
          timeSource: 'device',
        },
        {
          deviceId: 'nice-arson-01',
          metric: 'temperature',
          displayName: 'Air temperature',
          unit: '°C',
          value: 28.5,
          ts: '2026-07-15T12:00:00Z',
          localTime: '2026-07-15T14:00:00+02:00',
          timeSource: 'device',
        },
        {
          deviceId: 'nice-old-01',
          metric: 'pm25',
          displayName: 'PM2.5',
          unit: 'µg/m³',
          value: 7,
          ts: '2026-11-29T08:30:00Z',
          localTime: '2026-11-29T09:30:00+01:00',
          timeSource: 'receive',
        },
      ],
    });
  });

  it('filters by metric and device, and shows Zhengzhou in +08:00', async () => {
    const nice = await getJson('/v1/latest?city=nice&metric=pm25&device=nice-arson-01');
    expect((nice.body as { values: unknown[] }).values).toEqual([
      expect.objectContaining({ deviceId: 'nice-arson-01', metric: 'pm25', value: 50 }),
    ]);
    const zz = await getJson('/v1/latest?city=zhengzhou&metric=pm25');
    expect(zz.body).toMatchObject({
      timeZone: 'Asia/Shanghai',
      values: [
        {
          deviceId: 'zz-shijiance-01',
          value: 60,
          ts: '2026-11-29T17:00:00Z',
          localTime: '2026-11-30T01:00:00+08:00',
        },
      ],
    });
  });
});

describe('GET /v1/latest revalidation', () => {
  it('answers 304 to the ETag it gave until a value changes, then the new value', async () => {
    const path = '/v1/latest?city=nice&metric=pm25&device=nice-arson-01';
    const first = await fetch(`${base}${path}`);
    const etag = first.headers.get('etag');
    expect(first.status).toBe(200);
    expect(etag).toMatch(/^"[\w-]+"$/);
    await first.arrayBuffer();

    const unchanged = await fetch(`${base}${path}`, { headers: { 'if-none-match': etag ?? '' } });
    expect(unchanged.status).toBe(304);
    expect(await unchanged.text()).toBe('');

    const later = Date.parse('2026-11-30T12:00:00Z');
    await fixture.store.writeReadings([
      { ts: later, city: 'nice', deviceId: 'nice-arson-01', metric: 'pm25', value: 51.5 },
    ]);
    const changed = await fetch(`${base}${path}`, { headers: { 'if-none-match': etag ?? '' } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(await changed.json()).toMatchObject({
      values: [{ deviceId: 'nice-arson-01', metric: 'pm25', value: 51.5, ts: '2026-11-30T12:00:00Z' }],
    });
  });
});

describe('GET /v1/series', () => {
  const nicePm25 = '/v1/series?city=nice&metric=pm25&device=nice-arson-01';

  it('averages hourly buckets by default over the requested range', async () => {
    const { status, body } = await getJson(`${nicePm25}&from=2026-11-29T08:00:00Z&to=2026-11-29T10:00:00Z`);
    expect(status).toBe(200);
    expect(body).toEqual({
      city: 'nice',
      timeZone: 'Europe/Paris',
      metric: 'pm25',
      displayName: 'PM2.5',
      unit: 'µg/m³',
      agg: 'mean',
      every: '1h',
      from: '2026-11-29T08:00:00Z',
      to: '2026-11-29T10:00:00Z',
      series: [
        {
          deviceId: 'nice-arson-01',
          points: [
            { ts: '2026-11-29T08:00:00Z', localTime: '2026-11-29T09:00:00+01:00', value: 20 },
            { ts: '2026-11-29T09:00:00Z', localTime: '2026-11-29T10:00:00+01:00', value: 45 },
          ],
        },
      ],
    });
  });

  it.each([
    ['every=30m', [15, 30, 40, 50]],
    ['every=1h&agg=min', [10, 40]],
    ['every=1h&agg=max', [30, 50]],
    ['every=1h&agg=count', [3, 2]],
  ])('%s gives %j', async (query, values) => {
    const { body } = await getJson(`${nicePm25}&from=2026-11-29T08:00:00Z&to=2026-11-29T10:00:00Z&${query}`);
    const points = (body as { series: Array<{ points: Array<{ value: number }> }> }).series[0]?.points;
    expect(points?.map((p) => p.value)).toEqual(values);
  });

  it('defaults to the last 24 hours and gives one series per device of the city', async () => {
    const { body } = await getJson('/v1/series?city=nice&metric=pm25');
    expect(body).toMatchObject({ from: '2026-11-28T10:00:00Z', to: '2026-11-29T10:00:00Z', every: '1h' });
    const series = (body as { series: Array<{ deviceId: string; points: Array<{ value: number }> }> }).series;
    expect(series.map((s) => [s.deviceId, s.points.map((p) => p.value)])).toEqual([
      ['nice-arson-01', [20, 45]],
      ['nice-old-01', [7]],
    ]);
  });

  it('aligns daily buckets to Zhengzhou local midnight', async () => {
    const { body } = await getJson(
      `/v1/series?city=zhengzhou&metric=pm25&every=1d&from=${encodeURIComponent('2026-11-29T00:00:00+08:00')}&to=${encodeURIComponent('2026-12-01T00:00:00+08:00')}`,
    );
    expect(body).toMatchObject({
      from: '2026-11-28T16:00:00Z',
      to: '2026-11-30T16:00:00Z',
      series: [
        {
          deviceId: 'zz-shijiance-01',
          points: [
            { ts: '2026-11-28T16:00:00Z', localTime: '2026-11-29T00:00:00+08:00', value: 90 },
            { ts: '2026-11-29T16:00:00Z', localTime: '2026-11-30T00:00:00+08:00', value: 60 },
          ],
        },
      ],
    });
  });
});

describe('GET /v1/rejections', () => {
  it('lists refused messages newest first with local times (null for unknown cities)', async () => {
    const { status, body } = await getJson('/v1/rejections');
    expect(status).toBe(200);
    const rejections = (body as { rejections: Array<Record<string, unknown>> }).rejections;
    expect(rejections.map((r) => [r.ts, r.localTime, r.code])).toEqual([
      ['2026-11-29T09:30:00Z', null, 'INGEST_UNKNOWN_CITY'],
      ['2026-11-29T09:00:00Z', '2026-11-29T10:00:00+01:00', 'INGEST_BAD_TIMESTAMP'],
      ['2026-11-29T08:00:00Z', '2026-11-29T16:00:00+08:00', 'INGEST_INVALID_JSON'],
      ['2026-11-29T07:00:00Z', '2026-11-29T08:00:00+01:00', 'INGEST_OUT_OF_RANGE'],
    ]);
    expect(rejections[3]).toEqual({
      ts: '2026-11-29T07:00:00Z',
      localTime: '2026-11-29T08:00:00+01:00',
      city: 'nice',
      deviceId: 'nice-arson-01',
      topic: 'ucap/nice/nice-arson-01/readings',
      code: 'INGEST_OUT_OF_RANGE',
      reason: 'values.pm25: -3 is below 0',
      payload: '{"ts":"2026-11-29T08:00:00Z","values":{"pm25":-3}}',
    });
  });

  it('filters by city, device and time and honours the limit', async () => {
    const nice = await getJson('/v1/rejections?city=nice&device=nice-arson-01&limit=1');
    expect((nice.body as { rejections: Array<{ ts: string }> }).rejections.map((r) => r.ts)).toEqual([
      '2026-11-29T09:00:00Z',
    ]);
    const window = await getJson('/v1/rejections?from=2026-11-29T07:30:00Z&to=2026-11-29T09:00:00Z');
    expect((window.body as { rejections: Array<{ ts: string }> }).rejections.map((r) => r.ts)).toEqual([
      '2026-11-29T08:00:00Z',
    ]);
  });
});

describe('errors over HTTP', () => {
  it('answers a bad city with 400 naming the parameter and the allowed cities', async () => {
    const { status, body } = await getJson('/v1/latest?city=paris');
    expect(status).toBe(400);
    expect(body).toMatchObject({
      error: {
        code: 'API_BAD_REQUEST',
        details: [
          {
            parameter: 'city',
            problem: '"paris" is not a city of the catalog',
            allowed: ['nice', 'zhengzhou'],
          },
        ],
      },
    });
  });

  it('answers an unknown route with 404 API_NOT_FOUND', async () => {
    const { status, body } = await getJson('/v2/latest');
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: { code: 'API_NOT_FOUND' } });
  });
});

interface LatestDoc {
  paths: Record<
    string,
    {
      get: {
        responses: Record<
          string,
          {
            content: Record<
              string,
              {
                schema: {
                  properties: {
                    values: {
                      items: { required: string[]; properties: Record<string, { enum?: string[] }> };
                    };
                  };
                };
              }
            >;
          }
        >;
      };
    }
  >;
}

describe('documentation and operations', () => {
  it('documents timeSource ("device" or "receive") on every /v1/latest value', async () => {
    const { body } = await getJson('/openapi.json');
    const item = (body as LatestDoc).paths['/v1/latest']?.get.responses['200']?.content['application/json']
      ?.schema.properties.values.items;
    expect(item?.required).toContain('timeSource');
    expect(item?.properties.timeSource?.enum).toEqual(['device', 'receive']);
  });

  it('publishes an OpenAPI document listing every /v1 route with its parameters', async () => {
    const { status, body } = await getJson('/openapi.json');
    expect(status).toBe(200);
    const doc = body as {
      openapi: string;
      paths: Record<string, { get: { parameters?: Array<{ name: string; required: boolean }> } }>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    const parameters = (path: string) =>
      Object.fromEntries((doc.paths[path]?.get.parameters ?? []).map((p) => [p.name, p.required]));
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/v1/'))).toEqual([
      '/v1/cities',
      '/v1/sensors',
      '/v1/latest',
      '/v1/series',
      '/v1/rejections',
      '/v1/standards',
      '/v1/aqi',
      '/v1/exceedances',
      '/v1/readings',
    ]);
    expect(parameters('/v1/cities')).toEqual({});
    expect(parameters('/v1/sensors')).toEqual({ city: false });
    expect(parameters('/v1/latest')).toEqual({ city: true, metric: false, device: false });
    expect(parameters('/v1/series')).toEqual({
      city: true,
      metric: true,
      device: false,
      from: false,
      to: false,
      every: false,
      agg: false,
      include: false,
      validity: false,
    });
    expect(parameters('/v1/rejections')).toEqual({
      city: false,
      device: false,
      from: false,
      to: false,
      limit: false,
    });
  });

  it('serves the Swagger UI at /docs with its assets', async () => {
    const page = await fetch(`${base}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('swagger-ui');
    const bundle = await fetch(`${base}/docs/static/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    await bundle.arrayBuffer();
  });

  it('is live and ready while the store answers', async () => {
    expect((await getJson('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await getJson('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: [{ name: 'store:duckdb', ok: true }] });
  });

  it('counts requests by route and status in /metrics', async () => {
    const before = await scrape();
    await fetch(`${base}/v1/cities`);
    await fetch(`${base}/v1/latest?city=atlantis`);
    await fetch(`${base}/no/such/route`);
    const after = await scrape();
    const increase = (route: string, status: number) =>
      (after.count(route, status) ?? 0) - (before.count(route, status) ?? 0);
    expect(increase('/v1/cities', 200)).toBe(1);
    expect(increase('/v1/latest', 400)).toBe(1);
    expect(increase('unmatched', 404)).toBe(1);
    expect(after.text).toMatch(/api_http_request_duration_seconds_bucket\{[^}]*route="\/v1\/cities"/);
  });
});

/** Reads /metrics and looks up api_http_requests_total for one route and status. */
async function scrape() {
  const response = await fetch(`${base}/metrics`);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await response.text();
  const count = (route: string, status: number): number | undefined => {
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('api_http_requests_total{') &&
          l.includes(`route="${route}"`) &&
          l.includes(`status_code="${status}"`),
      );
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };
  return { text, count };
}
