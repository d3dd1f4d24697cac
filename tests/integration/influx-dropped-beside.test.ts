import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexRevision } from '../../aqi/index-revision.ts';
import { isRetryable, isUcapError } from '../../domain/errors.ts';
import { createInfluxStore } from '../../store/influxdb/influx-store.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';
import { type RunningInfluxd, startInfluxd } from '../setup/influxd.ts';
import { indexSeriesOf } from './indexed-influx-store.ts';

/**
 * InfluxDB 1.6 answers a DELETE with "engine is closed" when another database on the same server is
 * dropped at that moment (its shards close while the DELETE walks them). Seen in CI: the index
 * series' final flush failed so while other test files dropped their databases. The same DELETE
 * passes when tried again, so the store must call the failure retryable. This file has a server of
 * its own: the databases it drops would disturb every other file on the shared one.
 */
let influxd: RunningInfluxd;
let store: TimeSeriesStore;

async function influxql(q: string, db?: string): Promise<void> {
  const params = new URLSearchParams(db === undefined ? { q } : { q, db });
  const response = await fetch(`${influxd.url}/query?${params}`, { method: 'POST' });
  expect(response.status).toBe(200);
}

async function write(db: string, lines: string): Promise<void> {
  const response = await fetch(`${influxd.url}/write?db=${db}&precision=ms`, { method: 'POST', body: lines });
  expect(response.status).toBe(204);
}

beforeAll(async () => {
  influxd = await startInfluxd();
  store = await createInfluxStore({ api: 'v1', url: influxd.url, database: 'kept' });
});

afterAll(async () => {
  await store?.close();
  await influxd?.stop();
});

const DAY = { from: Date.parse('2026-11-30T23:00:00Z'), to: Date.parse('2026-12-01T23:00:00Z') };
const RANGE = {
  city: 'nice',
  every: '1d' as const,
  ...DAY,
  standards: ['eaqi' as const],
  days: [DAY],
  computedAt: DAY.to,
  revision: indexRevision(),
};

describe('InfluxDB 1.x while another database on the server is dropped', () => {
  it('calls a DELETE that met a shard closing beside it retryable, and the retry passes', async (context) => {
    // Series of its own for the DELETEs to walk, and series in each database dropped beside them.
    await write(
      'kept',
      Array.from(
        { length: 2000 },
        (_, i) => `aqi,city=nice,device=d${i % 50} v=${i} ${DAY.from + i * 30_000}`,
      ).join('\n'),
    );
    const lines = Array.from(
      { length: 500 },
      (_, i) => `other,device=d${i % 20} v=${i} ${DAY.from + i * 60_000}`,
    ).join('\n');
    const replaces = (): Promise<void>[] =>
      ['nice', 'zhengzhou', 'paris', 'lyon'].map((city) =>
        indexSeriesOf(store).replace({ ...RANGE, city }, []),
      );
    // A race: on this machine one round in ~20-200 meets the closing shards. Rounds go on until one
    // does, within the time budget (thousands of rounds). A server that never shows it within the
    // budget skips the test rather than passing it: nothing was checked (the classification itself
    // is checked deterministically in tests/unit/influx-errors.test.ts).
    let failure: unknown;
    const deadline = Date.now() + 90_000;
    for (let round = 0; failure === undefined && Date.now() < deadline; round += 1) {
      const other = `dropped_${round}`;
      await influxql(`CREATE DATABASE ${other}`);
      // Not asserted: right after the previous round's DROP, influxd 1.6 may answer 404 for a moment.
      await fetch(`${influxd.url}/write?db=${other}&precision=ms`, { method: 'POST', body: lines });
      const [, ...settled] = await Promise.allSettled([influxql(`DROP DATABASE ${other}`), ...replaces()]);
      failure = settled.find((s) => s.status === 'rejected')?.reason;
    }
    if (failure === undefined) context.skip('InfluxDB did not show the race within 90 s');
    expect(isUcapError(failure, 'STORE_WRITE_FAILED'), String(failure)).toBe(true);
    expect(String((failure as Error).message)).toMatch(/engine is closed|shard is disabled/);
    expect(isRetryable(failure)).toBe(true);
    await expect(Promise.all(replaces())).resolves.toHaveLength(4);
  }, 150_000);
});
