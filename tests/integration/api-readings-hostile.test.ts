import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_PAGE } from '../../api/readings-export.ts';
import { MAX_PARQUET_EXPORTS } from '../../api/readings-parquet.ts';
import { UcapError } from '../../domain/errors.ts';
import type { Reading } from '../../domain/reading.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';
import { type ApiFixture, startApiFixture } from './api-fixture.ts';

/**
 * Hostile clients of GET /v1/readings exports, over real HTTP on the embedded store: a client that
 * stops reading, one that leaves mid-export, and more Parquet exports than the server writes at
 * once. The server must stop reading the store when nobody takes the bytes, and stop for good when
 * the client is gone. (Memory figures are in `npm run bench -- export`, not here.)
 */
const FROM = '2026-11-20T00:00:00Z';
const TO = '2026-11-21T00:00:00Z';
const DEVICES = ['zz-a', 'zz-b', 'zz-c', 'zz-d'];
// 400,000 readings, ~21 MB of CSV: several times what loopback socket buffers hold.
const INSTANTS = 50_000;
const MANY: Reading[] = Array.from({ length: INSTANTS }, (_, i) =>
  DEVICES.flatMap((deviceId) =>
    (['pm10', 'no2'] as const).map((metric) => ({
      ts: Date.parse(FROM) + i * 1000,
      city: 'zhengzhou',
      deviceId,
      metric,
      value: i / 8,
    })),
  ),
).flat();
const PAGES = Math.ceil(MANY.length / EXPORT_PAGE);

let fixture: ApiFixture;
let base: string;
let port: number;
/** Store pages read for exports so far. */
let pagesRead = 0;
/** While set, every page read waits for it (exports then hold their place). */
let hold: Promise<void> | undefined;

function counting(store: TimeSeriesStore): TimeSeriesStore {
  return {
    ...store,
    readings: async (query) => {
      pagesRead += 1;
      if (hold !== undefined) await hold;
      return store.readings(query);
    },
  };
}

beforeAll(async () => {
  fixture = await startApiFixture({}, counting);
  for (let i = 0; i < MANY.length; i += 50_000) await fixture.store.writeReadings(MANY.slice(i, i + 50_000));
  base = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
  port = Number(new URL(base).port);
}, 60_000);
afterAll(async () => {
  await fixture?.close();
});

const exportPath = (format: string) => `/v1/readings?city=zhengzhou&from=${FROM}&to=${TO}&format=${format}`;

/** A raw client that sends the request and then reads nothing at all. */
function stalledClient(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.pause();
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** A request on a connection of its own, read to the end. */
function freshGet(path: string): Promise<{ status: number; retryAfter: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    get(`${base}${path}`, { agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.once('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          retryAfter: response.headers['retry-after'],
          body,
        }),
      );
    }).once('error', reject);
  });
}

/** Page reads once they stopped changing for `quietMs`. */
async function settledPages(quietMs = 600, timeoutMs = 20_000): Promise<number> {
  const started = Date.now();
  let last = pagesRead;
  let since = Date.now();
  while (Date.now() - started < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (pagesRead !== last) {
      last = pagesRead;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return last;
  }
  throw new Error(`store pages were still being read after ${timeoutMs} ms`);
}

describe('GET /v1/readings exports against hostile clients', () => {
  it('stops reading the store while a CSV client reads nothing, and for good once it leaves', async () => {
    pagesRead = 0;
    const client = await stalledClient(exportPath('csv'));
    const stalled = await settledPages();
    // Socket buffers and one page ahead: a small part of the export, not all of it.
    expect(stalled).toBeGreaterThan(0);
    expect(stalled).toBeLessThan(PAGES / 2);
    client.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await settledPages()).toBeLessThanOrEqual(stalled + 1);
    // The server is fine: the whole export still works.
    const csv = await (await fetch(`${base}${exportPath('csv')}`)).text();
    expect(csv.trim().split('\n')).toHaveLength(MANY.length + 1);
  }, 60_000);

  it('stops a Parquet export when its client leaves after the first row group', async () => {
    pagesRead = 0;
    const controller = new AbortController();
    const response = await fetch(`${base}${exportPath('parquet')}`, { signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = response.body?.getReader();
    const first = await reader?.read();
    // The first bytes leave before the store has been read to the end: the file is streamed.
    expect(first?.value?.length).toBeGreaterThan(0);
    expect(pagesRead).toBeLessThan(PAGES);
    controller.abort();
    expect(await settledPages()).toBeLessThan(PAGES);
  }, 60_000);

  it('keeps no export slot of clients that leave at any moment of a Parquet export', async () => {
    // From before the handler runs to mid-stream: 12 clients, two at a time (the most written at once).
    for (let i = 0; i < 12; i += 2) {
      await Promise.all(
        [i, i + 1].map(async (n) => {
          const controller = new AbortController();
          setTimeout(() => controller.abort(), n * 25);
          try {
            const response = await fetch(`${base}${exportPath('parquet')}`, { signal: controller.signal });
            await response.arrayBuffer();
          } catch {
            // Aborted: what the test is about.
          }
        }),
      );
    }
    // Every abandoned export ends soon (its rows end at once): then two whole ones run at once again.
    let statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      const tries = await Promise.all([0, 1].map(() => freshGet(`${exportPath('parquet')}&limit=5000`)));
      statuses = tries.map((r) => r.status);
      if (statuses.every((status) => status === 200)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(statuses).toEqual([200, 200]);
  }, 60_000);

  it(`writes at most ${MAX_PARQUET_EXPORTS} Parquet exports at once, then answers 503 with Retry-After`, async () => {
    let release = () => {};
    hold = new Promise((resolve) => {
      release = resolve;
    });
    const clients: Socket[] = [];
    try {
      for (let i = 0; i < MAX_PARQUET_EXPORTS; i++) clients.push(await stalledClient(exportPath('parquet')));
      // Each export has started (and waits on its first page) before one more is asked for.
      for (let i = 0; i < 100 && pagesRead < MAX_PARQUET_EXPORTS; i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const refused = await freshGet(exportPath('parquet'));
      expect(refused.status, refused.body).toBe(503);
      expect(refused.retryAfter).toMatch(/^\d+$/);
      expect((JSON.parse(refused.body) as { error: { code: string } }).error.code).toBe('API_BUSY');
    } finally {
      hold = undefined;
      release();
      for (const client of clients) client.destroy();
    }
    // Once they are gone, exports are taken again.
    await settledPages();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      const response = await fetch(`${base}${exportPath('parquet')}&limit=10`);
      status = response.status;
      await response.arrayBuffer();
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(200);
  }, 60_000);
});

describe('an export whose first page cannot be read', () => {
  let failing: ApiFixture;
  let failingBase: string;
  beforeAll(async () => {
    failing = await startApiFixture({}, (store) => ({
      ...store,
      readings: async () => {
        throw new UcapError('STORE_UNAVAILABLE', 'the store is away', {
          retryable: true,
          retryAfterMs: 2_000,
        });
      },
    }));
    failingBase = await failing.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await failing?.close();
  });

  it.each(['csv', 'ndjson', 'parquet'])(
    'answers %s with 503, Retry-After and an error body, not a response cut before its first byte',
    async (format) => {
      const answer = await fetch(`${failingBase}${exportPath(format)}`);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('2');
      const body = (await answer.json()) as { error: { code: string; requestId: string } };
      expect(body.error.code).toBe('STORE_UNAVAILABLE');
      expect(body.error.requestId).toBeTruthy();
    },
  );
});
