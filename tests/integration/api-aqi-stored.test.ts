import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApi } from '../../api/build-api.ts';
import { indexRevision } from '../../aqi/index-revision.ts';
import { createIndexSeriesMaintainer } from '../../aqi/index-series-maintainer.ts';
import { withIndexSeries } from '../../aqi/index-series-store.ts';
import { deviceRegistryPath, openDeviceRegistry } from '../../devices/device-registry.ts';
import type { Hj633Result } from '../../domain/air-quality/index.ts';
import { CityCatalog, DEFAULT_CITIES } from '../../domain/cities.ts';
import { silentLogger } from '../../platform/logger.ts';
import { createMetricsRegistry } from '../../platform/metrics.ts';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';
import { indexRowOf } from '../../store/index-row.ts';
import { createInfluxStore } from '../../store/influxdb/influx-store.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';
import { emptyTestDatabase } from '../setup/influx-test-database.ts';
import { NICE_DEVICES, syntheticReadings, ZHENGZHOU_DEVICE } from './api-air-quality-week.ts';
import { indexSeriesOf } from './indexed-influx-store.ts';

/**
 * One number in the API and in the store: the synthetic week written through each real store
 * wrapped by the real index-series maintainer, flushed, then /v1/aqi asked twice — once reading
 * the stored series, once over the same store without them (everything computed from readings).
 * Both answers must be the same, point for point, and equal to the stored rows (for InfluxDB, the
 * `aqi` measurement read with InfluxQL, as Grafana reads it).
 */
const NOW = Date.parse('2026-12-31T20:00:00Z');
const cities = new CityCatalog(DEFAULT_CITIES);

interface Point {
  ts: string;
  value: number | null;
  version: string;
  primaryPollutants: string[];
  subIndices: { measure: string; value: number | null; concentration: number }[];
}
interface AqiBody {
  devices: string[];
  source: { stored: number; computed: { from: string; to: string }[] };
  points: Point[];
}

interface Opened {
  readonly store: TimeSeriesStore;
  /** InfluxDB: writes line protocol as any other client of the database could. */
  writeLine?(line: string): Promise<void>;
  /** The stored `value` of each city-mean row of a standard and period, by time (ms). */
  storedValues?(standard: string, every: string): Promise<Map<number, number | null>>;
  cleanup(): Promise<void>;
}

const STORES: [string, (dir: string) => Promise<Opened>][] = [
  [
    'DuckDB (file)',
    async (dir) => {
      const store = await createDuckDbStore({ path: join(dir, 'ucap.duckdb') });
      return { store, cleanup: () => store.close() };
    },
  ],
  [
    'InfluxDB 1.6',
    async () => {
      const url = inject('influxUrl');
      const database = `ucap_aqi_stored_${Math.random().toString(36).slice(2, 10)}`;
      const store = await createInfluxStore({ api: 'v1', url, database });
      const query = async (q: string) => {
        const response = await fetch(`${url}/query?${new URLSearchParams({ db: database, q, epoch: 'ms' })}`);
        const body = (await response.json()) as { results: { series?: { values: unknown[][] }[] }[] };
        return body.results[0]?.series?.[0]?.values ?? [];
      };
      return {
        store,
        async writeLine(line) {
          const response = await fetch(
            `${url}/write?${new URLSearchParams({ db: database, precision: 'ms' })}`,
            {
              method: 'POST',
              body: line,
            },
          );
          expect(response.status).toBe(204);
        },
        async storedValues(standard, every) {
          const values = await query(
            `SELECT "value", "detail" FROM "aqi" WHERE "city" = 'nice' AND "scope" = 'city' AND "standard" = '${standard}' AND "every" = '${every}'`,
          );
          return new Map(values.map(([time, value]) => [Number(time), value as number | null]));
        },
        async cleanup() {
          await store.close();
          await emptyTestDatabase(url, database);
        },
      };
    },
  ],
];

describe.each(STORES)('/v1/aqi and the stored index series on %s', (name, open) => {
  let dir = '';
  let opened: Opened | undefined;
  const apps: FastifyInstance[] = [];
  const bases: { stored: string; computed: string } = { stored: '', computed: '' };

  async function serve(store: TimeSeriesStore): Promise<string> {
    const app = await buildApi({
      store,
      cities,
      registry: openDeviceRegistry(deviceRegistryPath(dir)),
      metrics: createMetricsRegistry('ucap-aqi-stored-test'),
      logger: silentLogger(),
      now: () => NOW,
    });
    apps.push(app);
    return app.listen({ host: '127.0.0.1', port: 0 });
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ucap-aqi-stored-'));
    opened = await open(dir);
    const maintainer = createIndexSeriesMaintainer({
      store: opened.store,
      sink: indexSeriesOf(opened.store),
      cities,
      now: () => NOW,
    });
    await withIndexSeries(opened.store, maintainer).writeReadings(syntheticReadings());
    await maintainer.close();
    bases.stored = await serve(opened.store);
    // The same store without its index series: what /v1/aqi computes from the readings.
    const withoutIndexSeries: TimeSeriesStore = { ...opened.store };
    delete (withoutIndexSeries as { indexSeries?: unknown }).indexSeries;
    bases.computed = await serve(withoutIndexSeries);
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await opened?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  async function get(which: 'stored' | 'computed', path: string): Promise<AqiBody> {
    const response = await fetch(`${bases[which]}${path}`);
    const body = (await response.json()) as AqiBody;
    expect(response.status, JSON.stringify(body)).toBe(200);
    return body;
  }

  // Nice: hours stored from local 19 to 27 October, days from 18 to 26 (a reading of day D changes
  // the hours of D and D+1 and the days D-1 and D); the 25th has 25 hours (end of summer time).
  const HOURS = 'from=2026-10-19T00:00:00%2B02:00&to=2026-10-27T00:00:00%2B01:00';
  const DAYS = 'from=2026-10-18T00:00:00%2B02:00&to=2026-10-26T00:00:00%2B01:00';
  const ZZ_DAYS = 'from=2026-10-18T00:00:00%2B08:00&to=2026-10-26T00:00:00%2B08:00';

  it.each([
    ['eaqi', '1h', `city=nice&${HOURS}`],
    ['hj633', '1h', `city=nice&${HOURS}`],
    ['epa', '1h', `city=nice&${HOURS}`],
    ['eaqi', '1d', `city=nice&${DAYS}`],
    ['hj633', '1d', `city=nice&${DAYS}`],
    ['epa', '1d', `city=nice&${DAYS}`],
    ['epa', '1d', `city=nice&device=${NICE_DEVICES[1]}&${DAYS}`],
    ['hj633', '1h', `city=zhengzhou&device=${ZHENGZHOU_DEVICE}&${ZZ_DAYS.replace('18', '19')}`],
    ['hj633', '1d', `city=zhengzhou&${ZZ_DAYS}`],
  ])(
    '%s every %s (%s): every point read from the store, each the point computed from readings',
    async (standard, every, query) => {
      const path = `/v1/aqi?standard=${standard}&every=${every}&${query}`;
      const stored = await get('stored', path);
      const computed = await get('computed', path);
      expect(stored.source).toEqual({ stored: stored.points.length, computed: [] });
      expect(computed.source.stored).toBe(0);
      expect(stored.points.length).toBeGreaterThan(every === '1h' ? 100 : 5);
      expect(stored.points).toEqual(computed.points);
      expect(stored.devices).toEqual(computed.devices);
    },
  );

  it('gives each city-mean value as the stored row holds it', async () => {
    if (opened?.storedValues === undefined) {
      // DuckDB: the rows are read back through the store (the same reader /v1/aqi uses).
      const sink = indexSeriesOf(opened?.store as TimeSeriesStore);
      const body = await get('stored', `/v1/aqi?standard=hj633&every=1d&city=nice&${DAYS}`);
      const rows = await sink.read({
        city: 'nice',
        standard: 'hj633',
        every: '1d',
        from: Date.parse(body.points[0]?.ts ?? ''),
        to: NOW,
      });
      expect(body.points.map((p) => [Date.parse(p.ts), p.value])).toEqual(
        rows.rows.map((r) => [r.ts, r.value]),
      );
      return;
    }
    for (const standard of ['eaqi', 'hj633', 'epa']) {
      for (const [every, range] of [
        ['1h', HOURS],
        ['1d', DAYS],
      ] as const) {
        const body = await get('stored', `/v1/aqi?standard=${standard}&every=${every}&city=nice&${range}`);
        const rows = await opened.storedValues(standard, every);
        expect(body.points.length).toBeGreaterThan(0);
        for (const p of body.points) {
          expect(rows.get(Date.parse(p.ts)), `${standard} ${every} ${p.ts}`).toBe(p.value);
        }
      }
    }
  });

  it('computes the days the maintainer never computed, up to the open day, and reads the others', async () => {
    const body = await get(
      'stored',
      '/v1/aqi?standard=eaqi&every=1d&city=nice&from=2026-10-18T00:00:00%2B02:00&to=2026-12-31T21:00:00%2B01:00',
    );
    expect(body.source.computed).toEqual([
      // From 26 October (no reading touched it or the day after) to today, 31 December in Nice.
      { from: '2026-10-25T23:00:00Z', to: '2026-12-31T23:00:00Z' },
    ]);
    // The week's seven days (18 October is computed and stored too, but without a reading it has no index).
    expect(body.source.stored).toBe(7);
  });

  it('reads what the store holds, not a fresh computation, unless older index code stored it', async () => {
    const sink = indexSeriesOf(opened?.store as TimeSeriesStore);
    const day = { from: Date.parse('2026-10-20T22:00:00Z'), to: Date.parse('2026-10-21T22:00:00Z') };
    const path = `/v1/aqi?standard=hj633&every=1d&city=nice&from=2026-10-21T00:00:00%2B02:00&to=2026-10-22T00:00:00%2B02:00`;
    const before = await get('stored', path);
    const { rows } = await sink.read({ city: 'nice', standard: 'hj633', every: '1d', ...day });
    const row = rows[0];
    if (row === undefined) throw new Error('no stored HJ 633 day for Nice on 21 October');
    const changed = indexRowOf({ ...row, result: { ...(row.result as Hj633Result), aqi: 499 } });
    const range = {
      city: 'nice',
      every: '1d' as const,
      ...day,
      standards: ['hj633' as const],
      revision: indexRevision(),
    };
    await sink.replace({ ...range, days: [day], computedAt: NOW }, [changed]);
    try {
      expect((await get('stored', path)).points.map((p) => p.value)).toEqual([499]);
      expect((await get('computed', path)).points.map((p) => p.value)).toEqual(
        before.points.map((p) => p.value),
      );
      // The same row stamped by index code that answers differently (before an upgrade): computed.
      await sink.replace({ ...range, days: [day], computedAt: NOW, revision: 'older-code' }, [changed]);
      const upgraded = await get('stored', path);
      expect(upgraded.points).toEqual(before.points);
      expect(upgraded.source).toEqual({
        stored: 0,
        computed: [{ from: '2026-10-20T22:00:00Z', to: '2026-10-21T22:00:00Z' }],
      });
    } finally {
      await sink.replace({ ...range, days: [day], computedAt: NOW }, rows);
    }
  });

  // Only InfluxDB lets another client write the series (the DuckDB file is this process's alone).
  it.runIf(name.startsWith('InfluxDB'))(
    'computes a stored day another writer garbled, instead of failing or serving it',
    async () => {
      if (opened?.writeLine === undefined) throw new Error('no raw writes on this store');
      const path = `/v1/aqi?standard=hj633&every=1d&city=nice&from=2026-10-22T00:00:00%2B02:00&to=2026-10-23T00:00:00%2B02:00`;
      const before = await get('computed', path);
      await opened.writeLine(
        `aqi,city=nice,every=1d,scope=city,standard=hj633 detail="not ours",value=1 ${Date.parse('2026-10-21T22:00:00Z')}`,
      );
      const body = await get('stored', path);
      expect(body.points).toEqual(before.points);
      expect(body.source).toEqual({
        stored: 0,
        computed: [{ from: '2026-10-21T22:00:00Z', to: '2026-10-22T22:00:00Z' }],
      });
    },
  );
});
