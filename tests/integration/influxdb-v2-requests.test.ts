import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isUcapError, type UcapError } from '../../domain/errors.ts';
import type { Reading, Rejection } from '../../domain/reading.ts';
import { parseConfig } from '../../platform/config.ts';
import { silentLogger } from '../../platform/logger.ts';
import { createInfluxStore, type InfluxV2Options } from '../../store/influxdb/influx-store.ts';
import { openStore } from '../../store/open-store.ts';
import { storeConfigSchema } from '../../store/store-config.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';

/**
 * InfluxDB 2.x/3.x cannot run here, so these tests stand in for it with a recording HTTP server
 * (a mock InfluxDB 2.x, as every test name says): they pin the exact requests the adapter sends in
 * v2 mode, and how it classifies the answers a real 2.x server gives.
 */
interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}
interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}
type Responder = (request: Recorded) => Answer | 'hang';

const requests: Recorded[] = [];
let responder: Responder;
let server: Server;
let baseUrl: string;

function defaultAnswer(request: Recorded): Answer {
  if (request.url.startsWith('/query')) {
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"results":[{"statement_id":0}]}',
    };
  }
  return { status: 204 };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const answer = responder(recorded);
      if (answer === 'hang') return;
      res.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});
beforeEach(() => {
  requests.length = 0;
  responder = defaultAnswer;
});

const TOKEN = 'tok-secret-123';
const v2 = (): InfluxV2Options => ({
  api: 'v2',
  url: baseUrl,
  org: 'city lab & co',
  bucket: 'ucap/raw',
  token: TOKEN,
});

const T0 = Date.parse('2026-03-20T08:00:00Z');
const reading: Reading = { city: 'nice', deviceId: 'p-1', metric: 'no2', ts: T0, value: 38.5 };

async function failureOf(promise: Promise<unknown>): Promise<UcapError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isUcapError(error)) throw new Error(`expected a UcapError, got ${String(error)}`);
  return error;
}

function onlyRequest(): Recorded {
  expect(requests).toHaveLength(1);
  const [request] = requests;
  if (!request) throw new Error('no request');
  return request;
}

describe('InfluxDB store writing to a mock InfluxDB 2.x', () => {
  let store: TimeSeriesStore;
  beforeAll(async () => {
    store = await createInfluxStore(v2());
  });
  afterAll(async () => {
    await store.close();
  });

  it('mock InfluxDB 2.x: opening in v2 mode sends nothing (no CREATE DATABASE: the bucket must exist)', async () => {
    const other = await createInfluxStore(v2());
    await other.close();
    expect(requests).toEqual([]);
  });

  it('mock InfluxDB 2.x: readings go to POST /api/v2/write with org, bucket, precision=ms and the token', async () => {
    await store.writeReadings([
      reading,
      {
        city: 'nice',
        deviceId: 'odd id,x=1',
        metric: 'pm25',
        ts: T0 + 60_000,
        value: 12,
        timeSource: 'receive',
      },
    ]);
    const request = onlyRequest();
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/api/v2/write?org=city+lab+%26+co&bucket=ucap%2Fraw&precision=ms');
    expect(request.headers.authorization).toBe(`Token ${TOKEN}`);
    expect(request.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(request.body).toBe(
      [
        'readings,city=nice,device=p-1,metric=no2 time_source="device",value=38.5 1773993600000',
        'readings,city=nice,device=odd\\ id\\,x\\=1,metric=pm25 time_source="receive",value=12 1773993660000',
      ].join('\n'),
    );
  });

  it('mock InfluxDB 2.x: rejections go with precision=ns, one sub-ms sequence each, text escaped', async () => {
    const rejection: Rejection = {
      receivedAt: T0 + 123,
      city: 'nice',
      deviceId: 'p-1',
      topic: 'ucap/nice/p-1/readings',
      code: 'INGEST_INVALID_JSON',
      reason: 'not "JSON"',
      payload: '{"a":"b\\c"\nnext',
    };
    await store.writeRejections([rejection, { ...rejection, reason: 'again' }]);
    const request = onlyRequest();
    expect(request.url).toBe('/api/v2/write?org=city+lab+%26+co&bucket=ucap%2Fraw&precision=ns');
    expect(request.headers.authorization).toBe(`Token ${TOKEN}`);
    const lines = request.body.split(/\n(?=rejections,)/);
    const fields =
      'payload="{\\"a\\":\\"b\\\\c\\"\nnext",reason="not \\"JSON\\"",topic="ucap/nice/p-1/readings"';
    const tags = 'rejections,city=nice,code=INGEST_INVALID_JSON,device=p-1';
    expect(lines[0]).toMatch(new RegExp(`^${escapeRegExp(`${tags} ${fields}`)} 1773993600123(\\d{6})$`));
    expect(lines[1]).toMatch(
      new RegExp(
        `^${escapeRegExp(`${tags} ${fields.replace('not \\"JSON\\"', 'again')}`)} 1773993600123(\\d{6})$`,
      ),
    );
    expect(lines[0]?.slice(-6)).not.toBe(lines[1]?.slice(-6));
  });

  it('mock InfluxDB 2.x: a 12 001-reading batch is sent as requests of 5000, 5000 and 2001 lines', async () => {
    const batch = Array.from({ length: 12_001 }, (_, i) => ({ ...reading, ts: T0 + i * 1000 }));
    await store.writeReadings(batch);
    // The requests are in flight together: they may arrive in any order.
    const bodies = [...requests].sort((a, b) => b.body.length - a.body.length).map((r) => r.body);
    expect(bodies.map((body) => body.split('\n').length)).toEqual([5000, 5000, 2001]);
    expect(bodies.at(-1)?.split('\n').at(-1)).toBe(
      `readings,city=nice,device=p-1,metric=no2 time_source="device",value=38.5 ${T0 + 12_000_000}`,
    );
  });

  it('mock InfluxDB 2.x: ping is GET /ping with the token', async () => {
    await store.ping();
    const request = onlyRequest();
    expect([request.method, request.url, request.headers.authorization]).toEqual([
      'GET',
      '/ping',
      `Token ${TOKEN}`,
    ]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function queryOf(request: Recorded): string | null {
  return new URLSearchParams(request.body).get('q');
}

function seriesAnswer(series: unknown[]): Answer {
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ results: [{ statement_id: 0, series }] }),
  };
}

describe('InfluxDB store reading from a mock InfluxDB 2.x', () => {
  let store: TimeSeriesStore;
  beforeAll(async () => {
    store = await createInfluxStore(v2());
  });
  afterAll(async () => {
    await store.close();
  });

  it('mock InfluxDB 2.x: latest() sends escaped InfluxQL to POST /query?db=<bucket>&epoch=ms and maps the answer', async () => {
    responder = () =>
      seriesAnswer([
        {
          name: 'readings',
          tags: { device: 'd"1', metric: 'pm25' },
          columns: ['time', 'value', 'time_source'],
          values: [[T0, 7, 'receive']],
        },
        {
          name: 'readings',
          tags: { device: 'd"1', metric: 'no2' },
          columns: ['time', 'value', 'time_source'],
          values: [[T0 - 5, 40, null]],
        },
      ]);
    const city = "o'brien \\ x\ny";
    const latest = await store.latest({ city, deviceId: 'd"1' });
    const request = onlyRequest();
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/query?db=ucap%2Fraw&epoch=ms');
    expect(request.headers.authorization).toBe(`Token ${TOKEN}`);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(queryOf(request)).toBe(
      `SELECT last("value") AS "value", "time_source" FROM "readings" WHERE "city" = 'o\\'brien \\\\ x\\ny' AND "device" = 'd\\"1' GROUP BY "device", "metric"`,
    );
    expect(latest).toEqual([
      { city, deviceId: 'd"1', metric: 'no2', ts: T0 - 5, value: 40 },
      { city, deviceId: 'd"1', metric: 'pm25', ts: T0, value: 7, timeSource: 'receive' },
    ]);
  });

  it('mock InfluxDB 2.x: series() buckets in the time zone with tz() and [from, to) as epoch ms', async () => {
    await store.series({
      city: 'zhengzhou',
      metric: 'pm25',
      from: T0,
      to: T0 + 86_400_000,
      everyMs: 3_600_000,
      agg: 'max',
      timeZone: 'Asia/Shanghai',
    });
    await store.series({
      city: 'nice',
      metric: 'pm10',
      deviceId: 'p-1',
      from: T0,
      to: T0 + 1,
      everyMs: 7 * 86_400_000,
      agg: 'count',
      timeZone: 'Europe/Paris',
    });
    expect(requests.map(queryOf)).toEqual([
      `SELECT max("value") AS "value" FROM "readings" WHERE "city" = 'zhengzhou' AND "metric" = 'pm25' AND time >= 1773993600000ms AND time < 1774080000000ms GROUP BY time(3600000ms), "device" fill(none) tz('Asia/Shanghai')`,
      `SELECT count("value") AS "value" FROM "readings" WHERE "city" = 'nice' AND "metric" = 'pm10' AND "device" = 'p-1' AND time >= 1773993600000ms AND time < 1773993600001ms GROUP BY time(604800000ms, 345600000ms), "device" fill(none) tz('Europe/Paris')`,
    ]);
  });

  it('mock InfluxDB 2.x: an export streams one chunked /query (chunked=true, chunk_size) and reads its JSON lines as pages', async () => {
    const chunk = (values: unknown[][], partial: boolean) =>
      JSON.stringify({
        results: [
          {
            statement_id: 0,
            series: [
              { name: 'readings', columns: ['time', 'value', 'time_source', 'device', 'metric'], values },
            ],
            ...(partial ? { partial: true } : {}),
          },
        ],
      });
    responder = () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      // A chunk of rows of unknown metrics only is skipped, not taken for the end.
      body: `${chunk(
        [
          [T0, 1, 'device', 'p-1', 'pm25'],
          [T0, 2, 'receive', 'p-2', 'pm25'],
        ],
        true,
      )}\n${chunk([[T0 + 1, 3, null, 'p-1', 'radon']], true)}\n${chunk([[T0 + 2, 4, null, 'p-1', 'no2']], false)}\n`,
    });
    const stream = store.streamReadings?.({
      city: 'nice',
      metrics: ['pm25', 'no2'],
      from: T0,
      to: T0 + 60_000,
      offset: 2,
      limit: 500,
    });
    if (stream === undefined) throw new Error('no streamReadings');
    const pages = [await stream.next(), await stream.next(), await stream.next()];
    const request = onlyRequest();
    expect(request.url).toBe('/query?db=ucap%2Fraw&epoch=ms&chunked=true&chunk_size=2000');
    expect(request.headers.authorization).toBe(`Token ${TOKEN}`);
    expect(queryOf(request)).toBe(
      `SELECT "value", "time_source", "device", "metric" FROM "readings" WHERE "city" = 'nice' AND ("metric" = 'pm25' OR "metric" = 'no2') AND time >= ${T0}ms AND time < ${T0 + 60_000}ms ORDER BY time ASC LIMIT 500 OFFSET 2`,
    );
    expect(pages).toEqual([
      [
        { city: 'nice', deviceId: 'p-1', metric: 'pm25', ts: T0, value: 1 },
        { city: 'nice', deviceId: 'p-2', metric: 'pm25', ts: T0, value: 2, timeSource: 'receive' },
      ],
      [{ city: 'nice', deviceId: 'p-1', metric: 'no2', ts: T0 + 2, value: 4 }],
      [],
    ]);
    stream.close();
  });

  it('mock InfluxDB 2.x: rejections() asks newest first with LIMIT, and limit 0 asks nothing', async () => {
    responder = () =>
      seriesAnswer([
        {
          name: 'rejections',
          columns: ['time', 'city', 'device', 'code', 'reason', 'topic', 'payload'],
          values: [[T0, 'nice', 'p-1', 'INGEST_BAD_TOPIC', 'r', 't', 'p']],
        },
      ]);
    const rows = await store.rejections({ city: 'nice', from: T0, limit: 5 });
    expect(await store.rejections({ city: 'nice', limit: 0 })).toEqual([]);
    expect(requests.map(queryOf)).toEqual([
      `SELECT "city", "device", "code", "reason", "topic", "payload" FROM "rejections" WHERE "city" = 'nice' AND time >= 1773993600000ms ORDER BY time DESC LIMIT 5`,
    ]);
    expect(rows).toEqual([
      {
        receivedAt: T0,
        city: 'nice',
        deviceId: 'p-1',
        code: 'INGEST_BAD_TOPIC',
        reason: 'r',
        topic: 't',
        payload: 'p',
      },
    ]);
  });

  it('mock InfluxDB 2.x: openStore reads the database named by INFLUX_DB (the DBRP mapping) instead of the bucket', async () => {
    const config = parseConfig(storeConfigSchema, {
      INFLUX_URL: baseUrl,
      INFLUX_API: 'v2',
      INFLUX_ORG: 'lab',
      INFLUX_BUCKET: 'raw',
      INFLUX_TOKEN: TOKEN,
      INFLUX_DB: 'ucap_dbrp',
    });
    const opened = await openStore(config, silentLogger());
    try {
      expect(opened.kind).toBe('influxdb');
      await opened.sensors({});
      await opened.writeReadings([reading]);
      expect(requests.map((r) => r.url)).toEqual([
        '/query?db=ucap_dbrp&epoch=ms',
        '/api/v2/write?org=lab&bucket=raw&precision=ms',
      ]);
    } finally {
      await opened.close();
    }
  });
});

describe('InfluxDB store classifying a mock InfluxDB 2.x\u2019s refusals', () => {
  let store: TimeSeriesStore;
  beforeAll(async () => {
    store = await createInfluxStore({ ...v2(), timeoutMs: 300 });
  });
  afterAll(async () => {
    await store.close();
  });

  const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

  it.each([
    [
      '401 unauthorized',
      json(401, { code: 'unauthorized', message: 'unauthorized access' }),
      'STORE_WRITE_FAILED',
      false,
      /check INFLUX_TOKEN/,
    ],
    [
      '404 bucket not found',
      json(404, { code: 'not found', message: 'bucket "ucap/raw" not found' }),
      'STORE_WRITE_FAILED',
      false,
      /bucket "ucap\/raw" not found.*INFLUX_ORG and INFLUX_BUCKET/,
    ],
    [
      '400 bad line protocol',
      json(400, { code: 'invalid', message: 'unable to parse line' }),
      'STORE_WRITE_FAILED',
      false,
      /unable to parse line.*refused again if resent/,
    ],
    [
      '413 too large',
      json(413, { code: 'request too large', message: 'too large' }),
      'STORE_WRITE_FAILED',
      false,
      /write smaller batches/,
    ],
    [
      '500 internal error',
      json(500, { code: 'internal error', message: 'boom' }),
      'STORE_WRITE_FAILED',
      true,
      /answered 500/,
    ],
    [
      '503 unavailable',
      { status: 503, body: 'try later' },
      'STORE_UNAVAILABLE',
      true,
      /answered 503.*try later/,
    ],
  ] as const)('mock InfluxDB 2.x: a write answered %s', async (_name, answer, code, retryable, message) => {
    responder = () => answer;
    const error = await failureOf(store.writeReadings([reading]));
    expect([error.code, error.canRetry()]).toEqual([code, retryable]);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(TOKEN);
  });

  it('mock InfluxDB 2.x: 429 with Retry-After in seconds is retryable after that long', async () => {
    responder = () => json(429, { code: 'too many requests', message: 'slow down' }, { 'retry-after': '7' });
    const error = await failureOf(store.writeReadings([reading]));
    expect([error.code, error.canRetry(), error.retryAfter()]).toEqual(['STORE_WRITE_FAILED', true, 7000]);
  });

  it('mock InfluxDB 2.x: 503 with Retry-After as an HTTP date is retryable after about that long', async () => {
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 30_000);
    responder = () => ({ status: 503, headers: { 'retry-after': at.toUTCString() } });
    const error = await failureOf(store.latest({ city: 'nice' }));
    expect([error.code, error.canRetry()]).toEqual(['STORE_UNAVAILABLE', true]);
    expect(error.retryAfter()).toBeGreaterThan(25_000);
    expect(error.retryAfter()).toBeLessThanOrEqual(31_000);
  });

  it('mock InfluxDB 2.x: a query the server refuses inside a 200 answer is STORE_QUERY_FAILED, not retryable', async () => {
    responder = () => json(200, { results: [{ statement_id: 0, error: 'database not found: ucap/raw' }] });
    const error = await failureOf(store.sensors({}));
    expect([error.code, error.canRetry()]).toEqual(['STORE_QUERY_FAILED', false]);
    expect(error.message).toContain('database not found: ucap/raw');
  });

  it('mock InfluxDB 2.x: a server that does not answer in time gives a retryable failure', async () => {
    responder = () => 'hang';
    const error = await failureOf(store.writeReadings([reading]));
    expect([error.code, error.canRetry()]).toEqual(['STORE_WRITE_FAILED', true]);
    expect(error.message).toContain('did not answer within 300 ms');
  });
});
