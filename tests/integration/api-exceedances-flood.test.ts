import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_API_LIMITS } from '../../api/api-limits.ts';
import type { MetricId } from '../../domain/metrics.ts';
import type { Reading } from '../../domain/reading.ts';
import { type ApiFixture, NOW, startApiFixture } from './api-fixture.ts';

/**
 * The flood: 200 concurrent `/v1/exceedances` for a year, no credentials. It took the API
 * from 416 MiB to 8.4 GiB of RSS, every request computing at once. Here, on a real API and DuckDB
 * store holding 2026 up to the fixture's "now" for 10 Nice devices (hourly PM2.5, PM10 and NO2:
 * ~240k readings), each request must get either the full answer or a prompt 503 telling the client
 * when to retry, while the heap stays bounded and `/healthz` keeps answering.
 */
const DEVICES = 10;
const METRICS: readonly MetricId[] = ['pm25', 'pm10', 'no2'];
const HOUR = 3_600_000;
const YEAR_START = Date.parse('2025-12-31T23:00:00Z'); // 1 January 2026, 00:00 in Nice
const ROUTE = '/v1/exceedances?city=nice&standard=eu2008&year=2026';

let fixture: ApiFixture;
let base: string;

beforeAll(async () => {
  // The defaults, as deployed: 200 requests from one address are within its rate limit.
  fixture = await startApiFixture();
  let batch: Reading[] = [];
  for (let ts = YEAR_START; ts < NOW; ts += HOUR) {
    const hourOfDay = ((ts - YEAR_START) / HOUR) % 24;
    for (let d = 0; d < DEVICES; d += 1)
      for (const [m, metric] of METRICS.entries())
        batch.push({
          ts,
          city: 'nice',
          deviceId: `nice-flood-${d}`,
          metric,
          // A daily cycle, over the EU limits most days: exceedances to count in every answer.
          value: 20 + 15 * m + 30 * Math.sin((hourOfDay / 24) * Math.PI) + (d % 3) * 10,
        });
    if (batch.length >= 20_000) {
      await fixture.store.writeReadings(batch);
      batch = [];
    }
  }
  await fixture.store.writeReadings(batch);
  base = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
}, 120_000);

afterAll(async () => {
  await fixture?.close();
});

describe('200 concurrent /v1/exceedances over a year of 10 devices', () => {
  it('answers each with the full result or 503 API_BUSY and Retry-After; the heap stays bounded; /healthz answers', async () => {
    const alone = await fetch(`${base}${ROUTE}`);
    expect(alone.status).toBe(200);
    const expected = await alone.json();
    expect((expected as { devices: string[] }).devices).toEqual(
      expect.arrayContaining(Array.from({ length: DEVICES }, (_, d) => `nice-flood-${d}`)),
    );

    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const sampler = setInterval(() => {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }, 5);
    try {
      const flood = Array.from({ length: 200 }, async () => {
        const answer = await fetch(`${base}${ROUTE}`);
        return {
          status: answer.status,
          retryAfter: answer.headers.get('retry-after'),
          body: await answer.json(),
        };
      });
      const probe = await fetch(`${base}/healthz`);
      expect(probe.status).toBe(200);
      const answers = await Promise.all(flood);

      const full = answers.filter((a) => a.status === 200);
      const busy = answers.filter((a) => a.status === 503);
      expect(full.length + busy.length).toBe(200);
      // At least one per heavy slot was served, and every served answer is the lone request's.
      expect(full.length).toBeGreaterThanOrEqual(DEFAULT_API_LIMITS.heavyConcurrency);
      for (const a of full) expect(a.body).toEqual(expected);
      for (const a of busy) {
        expect(a.retryAfter).toMatch(/^\d+$/);
        expect((a.body as { error: { code: string } }).error.code).toBe('API_BUSY');
      }
    } finally {
      clearInterval(sampler);
    }
    // Before the bounds each request held its year of hourly series at once: gigabytes.
    expect(heapPeak - heapBefore).toBeLessThan(256 * 1024 * 1024);
    // The flood leaves nothing behind: the next request is served.
    expect((await fetch(`${base}${ROUTE}`)).status).toBe(200);
  });
});
