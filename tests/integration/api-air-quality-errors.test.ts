import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../api/build-api.ts';
import { deviceRegistryPath, openDeviceRegistry } from '../../devices/device-registry.ts';
import { CityCatalog, DEFAULT_CITIES } from '../../domain/cities.ts';
import { silentLogger } from '../../platform/logger.ts';
import { createMetricsRegistry } from '../../platform/metrics.ts';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';

/**
 * What a researcher sees when an air-quality request is wrong (400s that name the parameter and
 * list what is allowed), the standards catalogue, and the OpenAPI document, over a real API and an
 * embedded store.
 */
const NOW = Date.parse('2026-11-29T10:00:00Z');
let app: FastifyInstance;
let store: TimeSeriesStore;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ucap-aq-errors-'));
  store = await createDuckDbStore({ path: ':memory:' });
  await store.writeReadings([
    { city: 'nice', deviceId: 'nice-a', metric: 'pm25', ts: Date.parse('2026-11-29T08:10:00Z'), value: 12 },
  ]);
  app = await buildApi({
    store,
    cities: new CityCatalog(DEFAULT_CITIES),
    registry: openDeviceRegistry(deviceRegistryPath(dir)),
    metrics: createMetricsRegistry('ucap-aq-errors-test'),
    logger: silentLogger(),
    now: () => NOW,
  });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Detail {
  parameter: string;
  problem: string;
  allowed?: string[];
}

async function get(url: string) {
  const response = await app.inject({ method: 'GET', url });
  return { status: response.statusCode, body: response.json() };
}

describe('400 API_BAD_REQUEST on the air-quality routes', () => {
  const AQI = '/v1/aqi?city=nice';
  const EXC = '/v1/exceedances?city=zhengzhou';
  it.each([
    [AQI, 'standard', /is required/, ['eaqi', 'hj633', 'epa']],
    [`${AQI}&standard=aqi`, 'standard', /"aqi" is not an index standard/, ['eaqi', 'hj633', 'epa']],
    [
      `${AQI}&standard=eaqi&version=2026`,
      'version',
      /"2026" is not a version of eaqi/,
      ['2024', 'classic', '2017'],
    ],
    [`${AQI}&standard=hj633&version=2024`, 'version', /not a version of hj633/, ['2012', '2026']],
    [`${AQI}&standard=epa&every=1w`, 'every', /"1w" is not an index period/, ['1h', '1d']],
    [`${AQI}&standard=epa&from=monday`, 'from', /not an RFC 3339 time/, undefined],
    [
      `${AQI}&standard=epa&from=2026-11-29T10:00:00Z&to=2026-11-29T09:00:00Z`,
      'from',
      /is not before to/,
      undefined,
    ],
    [
      `${AQI}&standard=eaqi&every=1h&from=2026-10-01T00:00:00Z&to=2026-11-02T00:00:00Z`,
      'from',
      /32 d; every=1h allows at most 31 days per request \(use every=1d/,
      undefined,
    ],
    [
      `${AQI}&standard=eaqi&every=1d&from=2025-01-01T00:00:00Z&to=2026-01-03T00:00:00Z`,
      'from',
      /every=1d allows at most 366 days/,
      undefined,
    ],
    [
      `${EXC}&standard=gb3095`,
      'standard',
      /"gb3095" is not a limit-value standard/,
      ['who2021', 'eu2008', 'eu2030', 'gb3095-2012', 'gb3095-2026'],
    ],
    [`${EXC}&standard=gb3095-2026&grade=III`, 'grade', /"III" is not a grade of gb3095-2026/, ['I', 'II']],
    [
      `${EXC}&standard=who2021&grade=it5`,
      'grade',
      /not a grade of who2021/,
      ['aqg', 'it1', 'it2', 'it3', 'it4'],
    ],
    [`${EXC}&standard=eu2008&grade=II`, 'grade', /eu2008 has no grades/, []],
    [`${EXC}&standard=eu2008&year=1800`, 'year', /a year from 1970 to 2100/, undefined],
    [`${EXC}&standard=eu2008&year=2026.5`, 'year', /a year from 1970 to 2100/, undefined],
  ])('%s → %s', async (url, parameter, problem, allowed) => {
    const { status, body } = await get(url);
    expect(status).toBe(400);
    expect(body.error.code).toBe('API_BAD_REQUEST');
    const details = body.error.details as Detail[];
    expect(details).toHaveLength(1);
    expect(details[0]?.parameter).toBe(parameter);
    expect(details[0]?.problem).toMatch(problem);
    expect(details[0]?.allowed).toEqual(allowed);
  });

  it('accepts exactly 31 days hourly and 366 days daily', async () => {
    const hourly = await get(`${AQI}&standard=eaqi&from=2026-10-29T10:00:00Z&to=2026-11-29T10:00:00Z`);
    expect(hourly.status).toBe(200);
    const daily = await get(
      `${AQI}&standard=eaqi&every=1d&from=2025-11-28T10:00:00Z&to=2026-11-29T10:00:00Z`,
    );
    expect(daily.status).toBe(200);
  });

  it('refuses parameters the endpoints do not have', async () => {
    const { status, body } = await get('/v1/standards?kind=index');
    expect(status).toBe(400);
    expect(body.error.details).toEqual([
      { parameter: 'kind', problem: 'is not a parameter of this endpoint', allowed: ['lang'] },
    ]);
  });

  it('defaults to the last 24 hours, aligned to the hour, and to the city as a whole', async () => {
    const { status, body } = await get('/v1/aqi?city=nice&standard=eaqi');
    expect(status).toBe(200);
    expect(body).toMatchObject({ device: null, devices: ['nice-a'], version: null, every: '1h' });
    expect([body.from, body.to]).toEqual(['2026-11-28T10:00:00Z', '2026-11-29T10:00:00Z']);
    expect(body.points).toHaveLength(1);
    expect(body.points[0]).toMatchObject({
      ts: '2026-11-29T08:00:00Z',
      localTime: '2026-11-29T09:00:00+01:00',
    });
  });
});

describe('GET /v1/standards', () => {
  it('lists every index and limit-value standard with versions, grades, phases and sources', async () => {
    const { status, body } = await get('/v1/standards');
    expect(status).toBe(200);
    type Standard = {
      id: string;
      kind: string;
      endpoint: string;
      versions: {
        id: string;
        isDefault: boolean;
        validFrom: string | null;
        validTo: string | null;
        source: { urls: string[] };
      }[];
      grades: string[];
      defaultGrade: string | null;
      phases: { id: string; fromYear: number | null; toYear: number | null }[];
    };
    const standards = body.standards as Standard[];
    expect(standards.map((s) => [s.id, s.kind, s.endpoint])).toEqual([
      ['eaqi', 'index', '/v1/aqi'],
      ['hj633', 'index', '/v1/aqi'],
      ['epa', 'index', '/v1/aqi'],
      ['who2021', 'limit-values', '/v1/exceedances'],
      ['eu2008', 'limit-values', '/v1/exceedances'],
      ['eu2030', 'limit-values', '/v1/exceedances'],
      ['gb3095-2012', 'limit-values', '/v1/exceedances'],
      ['gb3095-2026', 'limit-values', '/v1/exceedances'],
    ]);
    const byId = new Map(standards.map((s) => [s.id, s]));
    expect(byId.get('eaqi')?.versions.map((v) => [v.id, v.isDefault])).toEqual([
      ['2024', true],
      ['classic', false],
      ['2017', false],
    ]);
    expect(byId.get('hj633')?.versions.map((v) => [v.id, v.validFrom, v.validTo])).toEqual([
      ['2012', null, '2026-02-28'],
      ['2026', '2026-03-01', null],
    ]);
    expect(byId.get('gb3095-2026')).toMatchObject({
      grades: ['I', 'II'],
      defaultGrade: 'II',
      phases: [
        { id: 'transition', fromYear: null, toYear: 2030 },
        { id: 'final', fromYear: 2031, toYear: null },
      ],
    });
    expect(byId.get('who2021')?.defaultGrade).toBe('aqg');
    for (const s of standards) for (const v of s.versions) expect(v.source.urls.length).toBeGreaterThan(0);
  });

  it.each([
    ['', 'China Air Quality Index (HJ 633)', 'Lightly polluted', 'Unhealthy'],
    ['?lang=en', 'China Air Quality Index (HJ 633)', 'Lightly polluted', 'Unhealthy'],
    [
      '?lang=fr',
      'Indice chinois de la qualité de l’air (HJ 633)',
      'Légèrement pollué',
      'Mauvais pour la santé',
    ],
    ['?lang=zh', '环境空气质量指数 (HJ 633)', '轻度污染', '不健康'],
  ])('names standards and levels in the language asked for (%s)', async (query, hj633, level3, epa4) => {
    const { status, body } = await get(`/v1/standards${query}`);
    expect(status).toBe(200);
    type Named = { id: string; name: string; levels: { number: number; name: string; colour: string }[] };
    const byId = new Map((body.standards as Named[]).map((s) => [s.id, s]));
    expect(byId.get('hj633')?.name).toBe(hj633);
    expect(byId.get('hj633')?.levels[2]).toEqual({ number: 3, name: level3, colour: '#FF7E00' });
    expect(byId.get('epa')?.levels[3]?.name).toBe(epa4);
    expect(byId.get('eaqi')?.levels).toHaveLength(6);
    expect(byId.get('who2021')?.levels).toEqual([]);
  });

  it('refuses a language it does not have, listing the ones it has', async () => {
    const { status, body } = await get('/v1/standards?lang=de');
    expect(status).toBe(400);
    expect(body.error.details).toEqual([
      expect.objectContaining({ parameter: 'lang', allowed: ['en', 'fr', 'zh'] }),
    ]);
  });
});

describe('OpenAPI', () => {
  it('describes the air-quality routes, their parameters and allowed values', async () => {
    const { status, body } = await get('/openapi.json');
    expect(status).toBe(200);
    type Parameter = { name: string; required?: boolean; schema?: { enum?: string[]; default?: string } };
    const parameters = (path: string) =>
      new Map(((body.paths[path]?.get?.parameters ?? []) as Parameter[]).map((p) => [p.name, p] as const));
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/v1/aqi', '/v1/exceedances', '/v1/standards']),
    );
    const aqi = parameters('/v1/aqi');
    expect([...aqi.keys()].sort()).toEqual([
      'city',
      'device',
      'every',
      'from',
      'lang',
      'standard',
      'to',
      'version',
    ]);
    expect(aqi.get('standard')).toMatchObject({ required: true, schema: { enum: ['eaqi', 'hj633', 'epa'] } });
    expect(aqi.get('every')?.schema).toMatchObject({ enum: ['1h', '1d'], default: '1h' });
    const exceedances = parameters('/v1/exceedances');
    expect([...exceedances.keys()].sort()).toEqual(['city', 'device', 'grade', 'standard', 'year']);
    expect(exceedances.get('standard')?.schema?.enum).toEqual([
      'who2021',
      'eu2008',
      'eu2030',
      'gb3095-2012',
      'gb3095-2026',
    ]);
    const okSchema = body.paths['/v1/aqi'].get.responses['200'].content['application/json'].schema;
    expect(JSON.stringify(okSchema)).toContain('primaryPollutants');
  });
});
