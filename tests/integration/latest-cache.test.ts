import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Reading } from '../../domain/reading.ts';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';
import { createInfluxStore } from '../../store/influxdb/influx-store.ts';
import { type CachedStore, withLatestCache } from '../../store/latest-cache.ts';
import type { LatestQuery, TimeSeriesStore } from '../../store/time-series-store.ts';
import { emptyTestDatabase } from '../setup/influx-test-database.ts';

/**
 * /v1/latest answers from memory: readings written through the store object update it, the store
 * is read once at start, and a separate API process picks up another process's writes by a
 * windowed refresh — never by a scan of all readings.
 */
const opened: TimeSeriesStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0).reverse()) await store.close().catch(() => undefined);
});

const T0 = Date.parse('2026-11-29T08:00:00Z');
const r = (deviceId: string, metric: Reading['metric'], minutes: number, value: number): Reading => ({
  ts: T0 + minutes * 60_000,
  city: 'nice',
  deviceId,
  metric,
  value,
});

/** Counts the store's latest() calls, split into full loads and windowed refreshes. */
function counting(store: TimeSeriesStore) {
  const calls = { full: 0, windowed: 0 };
  const wrapped: TimeSeriesStore = {
    ...store,
    kind: store.kind,
    latest(query: LatestQuery) {
      if (query.since === undefined) calls.full += 1;
      else calls.windowed += 1;
      return store.latest(query);
    },
  };
  return { wrapped, calls };
}

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > 10_000) throw new Error('condition not met within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('latest values in memory (embedded store, all-in-one)', () => {
  it('loads once at start, then follows the writes made through it without asking the store', async () => {
    const duck = await createDuckDbStore({ path: ':memory:' });
    await duck.writeReadings([
      r('nice-a', 'pm25', 0, 10),
      r('nice-a', 'pm25', 5, 11),
      r('nice-b', 'no2', 0, 30),
    ]);
    const { wrapped, calls } = counting(duck);
    const store: CachedStore = withLatestCache(wrapped, { cities: ['nice', 'zhengzhou'], refreshMs: 0 });
    opened.push(store);
    await store.loaded;
    expect(calls.full).toBe(2);

    await store.writeReadings([r('nice-a', 'pm25', 10, 12), r('nice-a', 'temperature', 10, 21.5)]);
    // A late reading for an old minute does not replace the newer value.
    await store.writeReadings([r('nice-a', 'pm25', 1, 99)]);
    const latest = await store.latest({ city: 'nice' });
    expect(latest).toEqual([
      { city: 'nice', deviceId: 'nice-a', metric: 'pm25', ts: T0 + 600_000, value: 12 },
      { city: 'nice', deviceId: 'nice-a', metric: 'temperature', ts: T0 + 600_000, value: 21.5 },
      { city: 'nice', deviceId: 'nice-b', metric: 'no2', ts: T0, value: 30 },
    ]);
    expect(await store.latest({ city: 'nice', metric: 'no2' })).toHaveLength(1);
    expect(await store.latest({ city: 'nice', deviceId: 'nice-a', metric: 'pm25' })).toHaveLength(1);
    // The answers above came from memory, and match what the store itself says.
    expect(calls.full).toBe(2);
    expect(await duck.latest({ city: 'nice' })).toEqual(latest);
  });

  it('asks the store while the first load has not succeeded', async () => {
    const duck = await createDuckDbStore({ path: ':memory:' });
    await duck.writeReadings([r('nice-a', 'pm25', 0, 10)]);
    let failures = 1;
    const flaky: TimeSeriesStore = {
      ...duck,
      kind: duck.kind,
      latest(query) {
        if (failures > 0) {
          failures -= 1;
          return Promise.reject(new Error('store not reachable yet'));
        }
        return duck.latest(query);
      },
    };
    const store = withLatestCache(flaky, { cities: ['nice'], refreshMs: 0 });
    opened.push(store);
    await store.loaded;
    expect(await store.latest({ city: 'nice' })).toEqual([
      { city: 'nice', deviceId: 'nice-a', metric: 'pm25', ts: T0, value: 10 },
    ]);
  });
});

describe('latest values asked for while the first load runs', () => {
  it('waits for the load instead of scanning the store once per request', async () => {
    const duck = await createDuckDbStore({ path: ':memory:' });
    await duck.writeReadings([r('nice-a', 'pm25', 0, 10), r('nice-b', 'no2', 0, 30)]);
    const { wrapped, calls } = counting(duck);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // A store that takes its time over the full scan, as InfluxDB does on a month just written.
    const slow: TimeSeriesStore = {
      ...wrapped,
      kind: wrapped.kind,
      async latest(query) {
        if (query.since === undefined) await held;
        return wrapped.latest(query);
      },
    };
    const store = withLatestCache(slow, { cities: ['nice'], refreshMs: 0 });
    opened.push(store);
    const burst = Array.from({ length: 20 }, () => store.latest({ city: 'nice' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    const answers = await Promise.all(burst);
    expect(calls.full).toBe(1);
    for (const answer of answers) expect(answer).toEqual(await duck.latest({ city: 'nice' }));
  });
});

describe('latest values in a separate API process (InfluxDB)', () => {
  it("picks up another process's writes with a windowed refresh, never a full scan", async () => {
    const options = { url: inject('influxUrl'), api: 'v1' as const, database: `ucap_latest_${Date.now()}` };
    const ingest = await createInfluxStore(options);
    opened.push(ingest);
    await ingest.writeReadings([r('nice-a', 'pm25', 0, 10)]);
    const { wrapped, calls } = counting(await createInfluxStore(options));
    const api = withLatestCache(wrapped, { cities: ['nice'], refreshMs: 100 });
    opened.push(api);
    await api.loaded;
    expect(await api.latest({ city: 'nice' })).toEqual([
      { city: 'nice', deviceId: 'nice-a', metric: 'pm25', ts: T0, value: 10 },
    ]);

    // Written by the other process, with a current time so it falls in the refresh window.
    const fresh = Date.now();
    await ingest.writeReadings([{ ...r('nice-b', 'no2', 0, 42), ts: fresh }]);
    await waitFor(async () => (await api.latest({ city: 'nice' })).length === 2);
    expect(await api.latest({ city: 'nice', deviceId: 'nice-b' })).toEqual([
      { city: 'nice', deviceId: 'nice-b', metric: 'no2', ts: fresh, value: 42 },
    ]);
    expect(calls.full).toBe(1);
    expect(calls.windowed).toBeGreaterThan(0);
    await emptyTestDatabase(options.url, options.database);
  });
});
