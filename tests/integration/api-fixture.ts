import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type ApiDeps, buildApi } from '../../api/build-api.ts';
import { deviceRegistryPath, openDeviceRegistry } from '../../devices/device-registry.ts';
import { CityCatalog, DEFAULT_CITIES } from '../../domain/cities.ts';
import type { MetricId } from '../../domain/metrics.ts';
import type { Reading, Rejection } from '../../domain/reading.ts';
import { silentLogger } from '../../platform/logger.ts';
import { createMetricsRegistry } from '../../platform/metrics.ts';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';

/**
 * A real API over a real embedded (DuckDB, in memory) store and a real registry file, seeded with
 * readings whose aggregates are easy to compute by hand. Nice is CET (+01:00) on 29 Nov 2026 and
 * CEST (+02:00) in July; Zhengzhou is +08:00 all year.
 */
export const NOW = Date.parse('2026-11-29T10:00:00Z');

const reading = (deviceId: string, city: string, metric: MetricId, iso: string, value: number): Reading => ({
  ts: Date.parse(iso),
  city,
  deviceId,
  metric,
  value,
});

export const READINGS: readonly Reading[] = [
  // nice-arson-01 PM2.5: 08:00-09:00 UTC holds 10, 20, 30 (mean 20); 09:00-10:00 holds 40, 50 (mean 45).
  reading('nice-arson-01', 'nice', 'pm25', '2026-11-29T08:00:00Z', 10),
  reading('nice-arson-01', 'nice', 'pm25', '2026-11-29T08:20:00Z', 20),
  reading('nice-arson-01', 'nice', 'pm25', '2026-11-29T08:40:00Z', 30),
  reading('nice-arson-01', 'nice', 'pm25', '2026-11-29T09:10:00Z', 40),
  reading('nice-arson-01', 'nice', 'pm25', '2026-11-29T09:50:00Z', 50),
  reading('nice-arson-01', 'nice', 'no2', '2026-11-29T09:30:00Z', 25.5),
  // A summer reading, so the latest temperature is shown in CEST.
  reading('nice-arson-01', 'nice', 'temperature', '2026-07-15T12:00:00Z', 28.5),
  // A device with data that is no longer registered; its payload had no time (receive time, flagged).
  { ...reading('nice-old-01', 'nice', 'pm25', '2026-11-29T08:30:00Z', 7), timeSource: 'receive' },
  // Zhengzhou: 16:00 and 16:30 local on the 29th (mean 90), then 01:00 local on the 30th.
  reading('zz-shijiance-01', 'zhengzhou', 'pm25', '2026-11-29T08:00:00Z', 80),
  reading('zz-shijiance-01', 'zhengzhou', 'pm25', '2026-11-29T08:30:00Z', 100),
  reading('zz-shijiance-01', 'zhengzhou', 'pm25', '2026-11-29T17:00:00Z', 60),
];

const rejection = (
  city: string,
  deviceId: string,
  iso: string,
  code: Rejection['code'],
  reason: string,
): Rejection => ({
  receivedAt: Date.parse(iso),
  city,
  deviceId,
  topic: `ucap/${city}/${deviceId}/readings`,
  code,
  reason,
  payload: '{"ts":"2026-11-29T08:00:00Z","values":{"pm25":-3}}',
});

export const REJECTIONS: readonly Rejection[] = [
  rejection(
    'nice',
    'nice-arson-01',
    '2026-11-29T07:00:00Z',
    'INGEST_OUT_OF_RANGE',
    'values.pm25: -3 is below 0',
  ),
  rejection('zhengzhou', 'zz-shijiance-01', '2026-11-29T08:00:00Z', 'INGEST_INVALID_JSON', 'not JSON'),
  rejection('nice', 'nice-arson-01', '2026-11-29T09:00:00Z', 'INGEST_BAD_TIMESTAMP', 'ts: not RFC 3339'),
  rejection(
    'paris',
    'p-1',
    '2026-11-29T09:30:00Z',
    'INGEST_UNKNOWN_CITY',
    'city "paris" is not in the catalog',
  ),
];

export interface ApiFixture {
  readonly app: FastifyInstance;
  readonly store: TimeSeriesStore;
  readonly dir: string;
  readonly registryFile: string;
  close(): Promise<void>;
}

/** `wrapStore` puts a delegating wrapper between the API and the seeded store (to hold or watch calls). */
export async function startApiFixture(
  overrides: Partial<ApiDeps> = {},
  wrapStore: (store: TimeSeriesStore) => TimeSeriesStore = (store) => store,
): Promise<ApiFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'ucap-api-'));
  const registryFile = deviceRegistryPath(dir);
  const registry = openDeviceRegistry(registryFile);
  await registry.add({
    id: 'nice-arson-01',
    city: 'nice',
    location: { lat: 43.702075, lon: 7.286256, name: 'Nice Arson' },
    meta: { model: 'SDS011' },
  });
  await registry.add({ id: 'nice-promenade-01', city: 'nice' });
  await registry.add({ id: 'zz-shijiance-01', city: 'zhengzhou', location: { lat: 34.757, lon: 113.665 } });
  const store = await createDuckDbStore({ path: ':memory:' });
  await store.writeReadings(READINGS);
  await store.writeRejections(REJECTIONS);
  const app = await buildApi({
    store: wrapStore(store),
    cities: new CityCatalog(DEFAULT_CITIES),
    registry,
    metrics: createMetricsRegistry('ucap-api-test'),
    logger: silentLogger(),
    now: () => NOW,
    ...overrides,
  });
  return {
    app,
    store,
    dir,
    registryFile,
    async close() {
      await app.close();
      await store.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
