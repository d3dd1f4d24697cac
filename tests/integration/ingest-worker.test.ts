import { once } from 'node:events';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { Aedes, type Client } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CityCatalog, DEFAULT_CITIES } from '../../domain/cities.ts';
import { UcapError } from '../../domain/errors.ts';
import type { Reading } from '../../domain/reading.ts';
import { DEFAULT_TIME_POLICY } from '../../domain/timestamps.ts';
import { readingsTopic } from '../../domain/topics.ts';
import type { BatchOptions } from '../../ingest/batch-writer.ts';
import { createIngest, type Ingest } from '../../ingest/ingest-worker.ts';
import { createReadingPipeline } from '../../ingest/reading-pipeline.ts';
import { silentLogger } from '../../platform/logger.ts';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';

/**
 * The ingest worker subscribing (INGEST_SOURCE=subscribe, as against Mosquitto or any other broker)
 * to a real bare aedes broker (no gateway policy) on a loopback port and a
 * real embedded DuckDB store in memory, with real mqtt.js publishers.
 */
let broker: Aedes;
let server: Server;
let mqttUrl: string;
let publisher: MqttClient;
const cleanups: Array<() => Promise<unknown>> = [];
let clientSeq = 0;

beforeAll(async () => {
  broker = await Aedes.createBroker();
  server = createServer(broker.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  mqttUrl = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  publisher = await mqtt.connectAsync(mqttUrl, { protocolVersion: 4, clientId: 'test-publisher' });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await publisher.endAsync();
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function openStore(): Promise<TimeSeriesStore> {
  const store = await createDuckDbStore({ path: ':memory:' });
  cleanups.push(() => store.close());
  return store;
}

interface IngestSetup {
  readonly store: TimeSeriesStore;
  readonly clientId?: string;
  readonly batch?: BatchOptions;
  readonly metrics?: Registry;
}

function buildIngest(setup: IngestSetup): Ingest {
  const ingest = createIngest({
    mqttUrl,
    username: 'ucap-ingest',
    password: 'not-checked-by-a-bare-broker',
    clientId: setup.clientId ?? `ingest-test-${++clientSeq}`,
    source: 'subscribe',
    pipeline: createReadingPipeline({
      store: setup.store,
      formatOf: async () => 'native',
      cities: new CityCatalog(DEFAULT_CITIES),
      timePolicy: DEFAULT_TIME_POLICY,
      batch: setup.batch ?? { flushIntervalMs: 50 },
      logger: silentLogger(),
      metrics: setup.metrics ?? new Registry(),
    }),
    logger: silentLogger(),
    metrics: setup.metrics ?? new Registry(),
    reconnect: { initialDelayMs: 50, maxDelayMs: 200 },
  });
  cleanups.push(() => ingest.stop());
  return ingest;
}

/** Resolves after the broker has seen `count` PUBACKs from the given client. */
function acksFrom(clientId: string, count: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const onAck = (_packet: unknown, client: Client) => {
      if (client?.id !== clientId || ++seen < count) return;
      broker.off('ack', onAck);
      resolve();
    };
    broker.on('ack', onAck);
  });
}

const payload = (ts: number, values: Record<string, unknown>) => JSON.stringify({ ts, values });

/** Readings stored for one device and metric, counted by the store itself. */
async function storedCount(store: TimeSeriesStore, city: string, deviceId: string, from: number, to: number) {
  const series = await store.series({
    city,
    metric: 'pm25',
    deviceId,
    from,
    to,
    everyMs: 86_400_000,
    agg: 'count',
    timeZone: 'UTC',
  });
  return series.flatMap((s) => s.points).reduce((n, p) => n + p.value, 0);
}

/** Every store method forwarded to the real store; a test overrides the one it makes misbehave. */
function delegateTo(real: TimeSeriesStore): TimeSeriesStore {
  return {
    kind: real.kind,
    writeReadings: (r) => real.writeReadings(r),
    writeRejections: (r) => real.writeRejections(r),
    latest: (q) => real.latest(q),
    series: (q) => real.series(q),
    cityMeanSeries: (q) => real.cityMeanSeries(q),
    readingSpacing: (q) => real.readingSpacing(q),
    sensors: (q) => real.sensors(q),
    rejections: (q) => real.rejections(q),
    readings: (q) => real.readings(q),
    ping: () => real.ping(),
    rollUp: () => real.rollUp(),
    close: () => real.close(),
  };
}

describe('ingest worker', () => {
  it('stores readings published at QoS 0 and QoS 1, and acknowledges QoS 1 only once they are stored', async () => {
    const store = await openStore();
    const clientId = 'ingest-ack-order';
    const ingest = buildIngest({ store, clientId, batch: { flushIntervalMs: 200 } });
    await ingest.start();
    expect(ingest.stats().connected).toBe(true);
    const ts = Date.now() - 60_000;
    const storedWhenAcked = new Promise<unknown>((resolve) => {
      const onAck = (_packet: unknown, client: Client) => {
        if (client?.id !== clientId) return;
        broker.off('ack', onAck);
        resolve(store.latest({ city: 'nice', deviceId: 'nice-q1' }));
      };
      broker.on('ack', onAck);
    });
    await publisher.publishAsync(readingsTopic('zhengzhou', 'zz-q0'), payload(ts, { pm25: 80, no2: 41 }), {
      qos: 0,
    });
    await publisher.publishAsync(readingsTopic('nice', 'nice-q1'), payload(ts, { pm25: 12.5 }), { qos: 1 });

    expect(await storedWhenAcked).toEqual([
      { city: 'nice', deviceId: 'nice-q1', metric: 'pm25', ts, value: 12.5 },
    ]);
    await vi.waitFor(() => expect(ingest.stats().readingsByCity).toEqual({ nice: 1, zhengzhou: 2 }));
    expect(await store.latest({ city: 'zhengzhou' })).toEqual([
      { city: 'zhengzhou', deviceId: 'zz-q0', metric: 'no2', ts, value: 41 },
      { city: 'zhengzhou', deviceId: 'zz-q0', metric: 'pm25', ts, value: 80 },
    ]);
  });

  it('keeps bad messages as rejections with their reason and stores nothing from them', async () => {
    const store = await openStore();
    const metrics = new Registry();
    const ingest = buildIngest({ store, metrics });
    await ingest.start();
    const ts = Date.now() - 60_000;
    const bad: Array<[string, string | Buffer, string, RegExp]> = [
      ['nice-bad-json', '{"ts":', 'INGEST_INVALID_JSON', /not JSON/],
      ['nice-negative', payload(ts, { pm25: -5 }), 'INGEST_OUT_OF_RANGE', /values\.pm25: -5/],
      ['nice-yesterday', '{"ts":"yesterday","values":{"pm25":5}}', 'INGEST_BAD_TIMESTAMP', /"yesterday"/],
      ['nice-future', payload(Date.now() + 3_600_000, { pm25: 5 }), 'INGEST_FUTURE_TIMESTAMP', /ahead/],
      ['nice-unknown-metric', payload(ts, { radon: 5 }), 'INGEST_UNKNOWN_METRIC', /"radon"/],
      ['nice-binary', Buffer.from([0xff, 0x00, 0xfe, 0x80]), 'INGEST_INVALID_JSON', /UTF-8/],
      ['nice-empty', '', 'INGEST_INVALID_JSON', /not JSON/],
    ];
    for (const [deviceId, body] of bad)
      await publisher.publishAsync(readingsTopic('nice', deviceId), body, { qos: 1 });
    await publisher.publishAsync(readingsTopic('paris', 'p-1'), payload(ts, { pm25: 5 }), { qos: 1 });

    await vi.waitFor(() =>
      expect(ingest.stats().rejectionsByCity).toEqual({ nice: bad.length, _unknown: 1 }),
    );
    const kept = await store.rejections({ limit: 100 });
    expect(kept).toHaveLength(bad.length + 1);
    for (const [deviceId, , code, reason] of bad) {
      const rejection = kept.find((r) => r.deviceId === deviceId);
      expect(rejection, deviceId).toMatchObject({
        city: 'nice',
        code,
        topic: readingsTopic('nice', deviceId),
      });
      expect(rejection?.reason).toMatch(reason);
    }
    expect(kept.find((r) => r.deviceId === 'p-1')).toMatchObject({
      city: 'paris',
      code: 'INGEST_UNKNOWN_CITY',
    });
    expect(await store.latest({ city: 'nice' })).toEqual([]);
    expect(await store.sensors({})).toEqual([]);
    const exposition = await metrics.metrics();
    expect(exposition).toContain('ucap_ingest_rejections_total{city="nice",code="INGEST_OUT_OF_RANGE"} 1');
    expect(exposition).toContain(
      'ucap_ingest_rejections_total{city="_unknown",code="INGEST_UNKNOWN_CITY"} 1',
    );
  });

  it('loses nothing when stopped with messages in flight: a restart with the same client id gets the rest', async () => {
    const store = await openStore();
    const clientId = 'ingest-restart';
    const N = 300;
    // A small buffer that is never flushed by size or time holds the first ingest mid-stream.
    const first = buildIngest({
      store,
      clientId,
      batch: { batchSize: 10_000, flushIntervalMs: 600_000, maxBufferedItems: 40 },
    });
    await first.start();
    const base = Date.now() - 120_000;
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        publisher.publishAsync(readingsTopic('nice', 'nice-restart'), payload(base + i, { pm25: i % 50 }), {
          qos: 1,
        }),
      ),
    );
    await vi.waitFor(() => expect(first.stats().buffered).toBe(40));
    await first.stop();
    const firstStored = first.stats().readingsByCity.nice ?? 0;
    expect(firstStored).toBeGreaterThanOrEqual(40);
    expect(firstStored).toBeLessThan(N);
    expect(await storedCount(store, 'nice', 'nice-restart', base, base + N)).toBe(firstStored);

    const second = buildIngest({ store, clientId });
    const rest = acksFrom(clientId, N - firstStored);
    await second.start();
    await rest;
    expect(await storedCount(store, 'nice', 'nice-restart', base, base + N)).toBe(N);
    // Every message was stored by exactly one of the two: nothing acknowledged was redelivered.
    expect(second.stats().readingsByCity.nice).toBe(N - firstStored);
  });

  it('retries while the store fails transiently and ends with every reading stored once', async () => {
    const real = await openStore();
    let failuresLeft = 3;
    let attempts = 0;
    // Flaky store wrapper around real DuckDB: the first three writes fail with a retryable error.
    const flaky: TimeSeriesStore = {
      ...delegateTo(real),
      writeReadings: async (readings: readonly Reading[]) => {
        attempts += 1;
        if (failuresLeft-- > 0)
          throw new UcapError('STORE_UNAVAILABLE', 'store briefly unreachable', { retryable: true });
        await real.writeReadings(readings);
      },
    };
    const metrics = new Registry();
    const clientId = 'ingest-flaky';
    const ingest = buildIngest({
      store: flaky,
      clientId,
      metrics,
      batch: { flushIntervalMs: 20, retryInitialDelayMs: 20, retryMaxDelayMs: 100 },
    });
    await ingest.start();
    const N = 25;
    const base = Date.now() - 60_000;
    const acked = acksFrom(clientId, N);
    for (let i = 0; i < N; i++) {
      await publisher.publishAsync(readingsTopic('nice', 'nice-flaky'), payload(base + i, { pm25: i }), {
        qos: 1,
      });
    }
    await acked;
    expect(attempts).toBeGreaterThan(3);
    expect(await storedCount(real, 'nice', 'nice-flaky', base, base + N)).toBe(N);
    expect(ingest.stats().readingsByCity).toEqual({ nice: N });
    expect(await metrics.metrics()).toMatch(/ucap_ingest_write_retries_total\{kind="readings"\} 3\b/);
  });

  it('keeps a message whose readings the store refuses for good as a STORE_WRITE_FAILED rejection', async () => {
    const real = await openStore();
    // Store wrapper around real DuckDB that refuses one device's readings permanently.
    const picky: TimeSeriesStore = {
      ...delegateTo(real),
      writeReadings: async (readings) => {
        if (readings.some((r) => r.deviceId === 'nice-poison'))
          throw new UcapError('STORE_WRITE_FAILED', 'field type conflict');
        await real.writeReadings(readings);
      },
    };
    const clientId = 'ingest-poison';
    const ingest = buildIngest({ store: picky, clientId, batch: { flushIntervalMs: 100 } });
    await ingest.start();
    const ts = Date.now() - 60_000;
    const acked = acksFrom(clientId, 3);
    await publisher.publishAsync(readingsTopic('nice', 'nice-good-1'), payload(ts, { pm25: 1 }), { qos: 1 });
    await publisher.publishAsync(readingsTopic('nice', 'nice-poison'), payload(ts, { pm25: 2 }), { qos: 1 });
    await publisher.publishAsync(readingsTopic('nice', 'nice-good-2'), payload(ts, { pm25: 3 }), { qos: 1 });
    await acked;
    expect((await real.latest({ city: 'nice' })).map((v) => v.deviceId)).toEqual([
      'nice-good-1',
      'nice-good-2',
    ]);
    const [kept] = await real.rejections({ limit: 10 });
    expect(kept).toMatchObject({
      deviceId: 'nice-poison',
      code: 'STORE_WRITE_FAILED',
      payload: payload(ts, { pm25: 2 }),
    });
    expect(kept?.reason).toMatch(/field type conflict/);
  });

  it('reconnects after losing the broker connection and goes on storing', async () => {
    const store = await openStore();
    const clientId = 'ingest-reconnect';
    const ingest = buildIngest({ store, clientId });
    await ingest.start();
    // aedes keeps its connected clients by id (not in its type declarations).
    const ingestConnection = (broker as unknown as { clients: Record<string, Client> }).clients[clientId];
    expect(ingestConnection).toBeDefined();
    const reconnected = new Promise<void>((resolve) => {
      broker.on('clientReady', (client) => {
        if (client.id === clientId) resolve();
      });
    });
    ingestConnection?.conn.destroy();
    await reconnected;
    await vi.waitFor(() => expect(ingest.stats().connected).toBe(true));
    const ts = Date.now() - 60_000;
    const acked = acksFrom(clientId, 1);
    await publisher.publishAsync(readingsTopic('nice', 'nice-after'), payload(ts, { pm25: 9 }), { qos: 1 });
    await acked;
    expect(await store.latest({ city: 'nice', deviceId: 'nice-after' })).toHaveLength(1);
  });
});
