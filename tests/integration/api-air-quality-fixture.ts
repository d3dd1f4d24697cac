import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { buildApi } from '../../api/build-api.ts';
import { createIndexSeriesMaintainer } from '../../aqi/index-series-maintainer.ts';
import { withIndexSeries } from '../../aqi/index-series-store.ts';
import { deviceRegistryPath, openDeviceRegistry } from '../../devices/device-registry.ts';
import { CityCatalog, DEFAULT_CITIES } from '../../domain/cities.ts';
import type { Reading } from '../../domain/reading.ts';
import { silentLogger } from '../../platform/logger.ts';
import { createMetricsRegistry } from '../../platform/metrics.ts';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';
import { createInfluxStore } from '../../store/influxdb/influx-store.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';
import { emptyTestDatabase } from '../setup/influx-test-database.ts';
import { syntheticReadings } from './api-air-quality-week.ts';
import { indexSeriesOf } from './indexed-influx-store.ts';

/**
 * A real API over real HTTP on each store (embedded DuckDB, and the InfluxDB 1.6 the integration
 * project starts), holding the synthetic week of api-air-quality-week.ts written straight to the
 * store (ingest is tested elsewhere).
 */
// 21:00 on 31 Dec 2026 in Nice, already 04:00 on 1 Jan 2027 in Zhengzhou.
export const NOW = Date.parse('2026-12-31T20:00:00Z');

type OpenStore = () => Promise<{ store: TimeSeriesStore; cleanup: () => Promise<void> }>;

function influxStore(): OpenStore {
  return async () => {
    const url = inject('influxUrl');
    const database = `ucap_aq_api_${Math.random().toString(36).slice(2, 10)}`;
    const store = await createInfluxStore({ api: 'v1', url, database });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await emptyTestDatabase(url, database);
      },
    };
  };
}

export const STORES: [string, OpenStore][] = [
  [
    'DuckDB',
    async () => {
      const store = await createDuckDbStore({ path: ':memory:' });
      return { store, cleanup: () => store.close() };
    },
  ],
  ['InfluxDB 1.6', influxStore()],
];

/** Starts the API over the week in beforeAll, closes everything in afterAll; `get` expects a 200. */
export function serveSyntheticWeek(open: OpenStore): { get<T>(path: string): Promise<T> } {
  return serveReadings(open, syntheticReadings, NOW);
}

/**
 * The same over any readings, with the API's clock at `now`. With `indexSeries`, the readings go
 * through the store wrapped by the real index-series maintainer, flushed at `now` before the API
 * starts: /v1/aqi then reads the stored series where they are complete.
 */
export function serveReadings(
  open: OpenStore,
  readings: () => Reading[],
  now: number,
  options: { readonly indexSeries?: boolean } = {},
): { get<T>(path: string): Promise<T> } {
  let app: FastifyInstance | undefined;
  let base = '';
  let dir: string | undefined;
  let cleanup: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ucap-aq-api-'));
    const opened = await open();
    cleanup = opened.cleanup;
    if (options.indexSeries === true) {
      const maintainer = createIndexSeriesMaintainer({
        store: opened.store,
        sink: indexSeriesOf(opened.store),
        cities: new CityCatalog(DEFAULT_CITIES),
        now: () => now,
      });
      await withIndexSeries(opened.store, maintainer).writeReadings(readings());
      await maintainer.close();
    } else await opened.store.writeReadings(readings());
    app = await buildApi({
      store: opened.store,
      cities: new CityCatalog(DEFAULT_CITIES),
      registry: openDeviceRegistry(deviceRegistryPath(dir)),
      metrics: createMetricsRegistry('ucap-aq-api-test'),
      logger: silentLogger(),
      now: () => now,
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await app?.close();
    await cleanup?.();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  return {
    async get<T>(path: string): Promise<T> {
      const response = await fetch(`${base}${path}`);
      const body = await response.json();
      expect(response.status, JSON.stringify(body)).toBe(200);
      return body as T;
    },
  };
}
