import { connect, type Socket } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { ApiLimits } from '../../api/api-limits.ts';
import type { Rejection } from '../../domain/reading.ts';
import { createInfluxStore } from '../../store/influxdb/influx-store.ts';
import type { SeriesQuery, TimeSeriesStore } from '../../store/time-series-store.ts';
import { type ApiFixture, startApiFixture } from './api-fixture.ts';

/**
 * What a hostile (or careless) client can do to the API without credentials, each case as the
 * issue measured it, against the real API over real HTTP and real stores.
 */
let fixture: ApiFixture | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await fixture?.close();
  fixture = undefined;
});

async function listen(f: ApiFixture): Promise<string> {
  return f.app.listen({ host: '127.0.0.1', port: 0 });
}

function openIdleSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => resolve(socket));
    socket.on('error', reject);
  });
}

describe('idle connections', () => {
  it('answers /healthz while 3,000 idle sockets are open, and closes them within its idle timeout', async () => {
    fixture = await startApiFixture({ limits: { idleTimeoutMs: 1000, headersTimeoutMs: 1000 } });
    const base = await listen(fixture);
    const port = Number(new URL(base).port);
    let closed = 0;
    let accepted = 0;
    fixture.app.server.on('connection', () => {
      accepted += 1;
    });
    for (let batch = 0; batch < 30; batch += 1) {
      const opened = await Promise.all(Array.from({ length: 100 }, () => openIdleSocket(port)));
      for (const socket of opened) {
        socket.on('close', () => {
          closed += 1;
        });
        socket.on('error', () => undefined);
        // Read (nothing ever comes) so the server's FIN is seen as the end of the stream.
        socket.resume();
        sockets.push(socket);
      }
      // The next batch waits until the server has accepted this one, as a slow attacker would.
      await waitFor(() => accepted >= sockets.length);
    }
    const opened = Date.now();
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    // The server, not the client, ends them: none of these sockets ever sends a byte.
    while (closed < sockets.length && Date.now() - opened < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(closed).toBe(3000);
    expect(Date.now() - opened).toBeLessThan(5_000);
  });
});

describe('GET /v1/rejections with huge reasons', () => {
  it('keeps each page a few megabytes, and 50 concurrent pages do not take the process down', async () => {
    fixture = await startApiFixture();
    const huge = `unknown key ${'x'.repeat(64 * 1024)}`;
    const flood: Rejection[] = Array.from({ length: 1000 }, (_, i) => ({
      receivedAt: Date.parse('2026-11-29T00:00:00Z') + i * 1000,
      city: 'nice',
      deviceId: 'nice-arson-01',
      topic: 'ucap/nice/nice-arson-01/readings',
      code: 'INGEST_INVALID_PAYLOAD',
      reason: huge,
      payload: '{}',
    }));
    await fixture.store.writeRejections(flood);
    const base = await listen(fixture);

    const one = await fetch(`${base}/v1/rejections?limit=1000`);
    const text = await one.text();
    expect(one.status).toBe(200);
    expect(text.length).toBeLessThan(4 * 1024 * 1024);
    const body = JSON.parse(text) as { rejections: { reason: string }[] };
    expect(body.rejections).toHaveLength(1000);
    for (const r of body.rejections) expect(r.reason.length).toBeLessThanOrEqual(1025);

    const answers = await Promise.all(
      Array.from({ length: 50 }, () => fetch(`${base}/v1/rejections?limit=1000`)),
    );
    const statuses = await Promise.all(
      answers.map(async (a) => {
        await a.arrayBuffer();
        return a.status;
      }),
    );
    // Every request is answered: a page, or "busy, retry" once the heavy queue is full.
    for (const status of statuses) expect([200, 503]).toContain(status);
    expect(statuses).toContain(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('refuses a page larger than the cap, naming limit', async () => {
    fixture = await startApiFixture();
    const base = await listen(fixture);
    const answer = await fetch(`${base}/v1/rejections?limit=100000`);
    expect(answer.status).toBe(400);
    expect(JSON.stringify(await answer.json())).toContain('"parameter":"limit"');
  });
});

describe('times outside the stored range', () => {
  it.each([
    ['/v1/series?city=nice&metric=pm25&from=0000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
    ['/v1/series?city=nice&metric=pm25&every=1d&from=2026-01-01T00:00:00Z&to=9999-12-31T00:00:00Z', 'to'],
    ['/v1/aqi?city=nice&standard=eaqi&from=0000-01-01T00:00:00Z&to=0000-01-02T00:00:00Z', 'from'],
    ['/v1/aqi?city=nice&standard=eaqi&every=1d&from=9999-01-01T00:00:00Z&to=9999-01-02T00:00:00Z', 'from'],
    ['/v1/rejections?from=1500-01-01T00:00:00Z', 'from'],
  ])('InfluxDB behind the API: %s is a 400 naming %s', async (path, parameter) => {
    const store = await createInfluxStore({
      url: inject('influxUrl'),
      api: 'v1',
      database: 'ucap_abuse_range',
    });
    fixture = await startApiFixture({ store });
    const base = await listen(fixture);
    const answer = await fetch(`${base}${path}`);
    expect(answer.status).toBe(400);
    const body = (await answer.json()) as { error: { code: string; details: { parameter: string }[] } };
    expect(body.error.code).toBe('API_BAD_REQUEST');
    expect(body.error.details.map((d) => d.parameter)).toContain(parameter);
    await store.close();
  });
});

/** The real store, with series() held until the test lets it go (or the request's signal fires). */
function holdingSeries(store: TimeSeriesStore) {
  const seen: AbortSignal[] = [];
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const wrapped: TimeSeriesStore = {
    ...store,
    kind: store.kind,
    async series(query: SeriesQuery) {
      if (query.signal !== undefined) seen.push(query.signal);
      await Promise.race([
        released,
        new Promise((_, reject) =>
          query.signal?.addEventListener('abort', () => reject(query.signal?.reason)),
        ),
      ]);
      return store.series(query);
    },
  };
  return { wrapped, seen, release: () => release() };
}

async function startHeld(limits: Partial<ApiLimits>): Promise<ReturnType<typeof holdingSeries>> {
  let held: ReturnType<typeof holdingSeries> | undefined;
  fixture = await startApiFixture({ limits }, (store) => {
    held = holdingSeries(store);
    return held.wrapped;
  });
  return held as ReturnType<typeof holdingSeries>;
}

const SERIES = '/v1/series?city=nice&metric=pm25&from=2026-11-29T08:00:00Z&to=2026-11-29T10:00:00Z';

describe('heavy routes', () => {
  it('answer 503 API_BUSY with Retry-After when every slot and queue place is taken', async () => {
    let held: ReturnType<typeof holdingSeries> | undefined;
    fixture = await startApiFixture({ limits: { heavyConcurrency: 1, heavyQueue: 0 } }, (store) => {
      held = holdingSeries(store);
      return held.wrapped;
    });
    const hold = held as ReturnType<typeof holdingSeries>;
    const base = await listen(fixture);
    const first = fetch(`${base}${SERIES}`);
    await waitFor(() => hold.seen.length === 1);
    const third = await fetch(`${base}${SERIES}`);
    expect(third.status).toBe(503);
    expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('API_BUSY');
    // Light routes are not queued behind heavy ones.
    expect((await fetch(`${base}/v1/cities`)).status).toBe(200);
    hold.release();
    expect((await first).status).toBe(200);
    expect((await fetch(`${base}${SERIES}`)).status).toBe(200);
  });

  it('cancel the store query at the deadline and answer 503 API_DEADLINE', async () => {
    const held = await startHeld({ requestDeadlineMs: 300 });
    try {
      const base = await listen(fixture as ApiFixture);
      const answer = await fetch(`${base}${SERIES}`);
      expect(answer.status).toBe(503);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('API_DEADLINE');
      expect(held.seen).toHaveLength(1);
      expect(held.seen[0]?.aborted).toBe(true);
    } finally {
      held.release();
    }
  });

  it('cancel the store query when the client goes away, logged as the client leaving, not as a failure', async () => {
    const lines: string[] = [];
    let held: ReturnType<typeof holdingSeries> | undefined;
    fixture = await startApiFixture(
      { logger: pino({ level: 'info' }, { write: (line) => lines.push(line) }) },
      (store) => {
        held = holdingSeries(store);
        return held.wrapped;
      },
    );
    const hold = held as unknown as ReturnType<typeof holdingSeries>;
    try {
      const base = await listen(fixture as ApiFixture);
      const client = new AbortController();
      const pending = fetch(`${base}${SERIES}`, { signal: client.signal }).catch(() => undefined);
      await waitFor(() => hold.seen.length === 1);
      client.abort();
      await pending;
      await waitFor(() => hold.seen[0]?.aborted === true);
      expect(hold.seen[0]?.aborted).toBe(true);
      await waitFor(() => lines.some((l) => l.includes('client gone')));
      const levels = lines.map((l) => (JSON.parse(l) as { level: number }).level);
      expect(Math.max(...levels)).toBeLessThan(40);
    } finally {
      hold.release();
    }
  });
});

describe('rate limits, security headers and CORS', () => {
  it('answers 429 API_RATE_LIMITED past the per-client limit, never for probes', async () => {
    fixture = await startApiFixture({ limits: { rateLimitMax: 3, rateLimitWindowMs: 60_000 } });
    const base = await listen(fixture);
    for (let i = 0; i < 3; i += 1) expect((await fetch(`${base}/v1/cities`)).status).toBe(200);
    const refused = await fetch(`${base}/v1/cities`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('API_RATE_LIMITED');
    for (let i = 0; i < 5; i += 1) expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('sends security headers and lets any origin read by default', async () => {
    fixture = await startApiFixture();
    const base = await listen(fixture);
    const answer = await fetch(`${base}/v1/cities`, { headers: { origin: 'https://notebook.example.org' } });
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('allows only the configured origins when CORS_ORIGINS lists them', async () => {
    fixture = await startApiFixture({ limits: { corsOrigins: ['https://notebook.example.org'] } });
    const base = await listen(fixture);
    const allowed = await fetch(`${base}/v1/cities`, { headers: { origin: 'https://notebook.example.org' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://notebook.example.org');
    const other = await fetch(`${base}/v1/cities`, { headers: { origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > 5_000) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
