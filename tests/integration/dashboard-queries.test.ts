import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GENERATED_DASHBOARDS_DIR } from '../../dashboards/generated-files.ts';
import { DEFAULT_CITIES } from '../../domain/cities.ts';
import type { MetricId } from '../../domain/metrics.ts';
import type { Reading, Rejection } from '../../domain/reading.ts';
import { createSeededRandom } from '../../simulators/seeded-random.ts';
import { stationsOf } from '../../simulators/stations.ts';
import { createValueModel } from '../../simulators/value-model.ts';
import { type IndexedInfluxStore, openIndexedInfluxStore } from './indexed-influx-store.ts';

/**
 * Grafana is not run here. What it would do is: take each panel's InfluxQL, replace its macros and
 * template variables, and send it to InfluxDB's /query. This test does exactly that with the
 * shipped JSON against the real InfluxDB 1.x of the test setup, seeded through the real store.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DB = 'ucap_dashboard_queries';
const HOUR = 3_600_000;
const FROM = Date.UTC(2026, 0, 10);
const TO = FROM + 3 * 24 * HOUR;

interface Target {
  refId: string;
  query: string;
  resultFormat: string;
}
interface Panel {
  title: string;
  type: string;
  targets: Target[];
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating?: { list?: { name: string; query: string }[] };
}
interface Series {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}
interface QueryResult {
  error?: string;
  series?: Series[];
}

const url = inject('influxUrl');

async function influxQuery(q: string): Promise<QueryResult> {
  const params = new URLSearchParams({ db: DB, q, epoch: 'ms' });
  const response = await fetch(`${url}/query?${params}`, { method: 'POST' });
  const body = (await response.json()) as { error?: string; results?: QueryResult[] };
  if (body.error) return { error: body.error };
  return body.results?.[0] ?? { error: 'no result' };
}

/** Three days of hourly simulated readings from every station. */
function seedReadings(): Reading[] {
  const readings: Reading[] = [];
  for (const city of DEFAULT_CITIES) {
    for (const station of stationsOf(city.id)) {
      const model = createValueModel(station, { timeZone: city.timeZone, random: createSeededRandom(1) });
      for (let ts = FROM; ts < TO; ts += HOUR) {
        for (const [metric, value] of Object.entries(model.valuesAt(ts))) {
          readings.push({ ts, city: city.id, deviceId: station.id, metric: metric as MetricId, value });
        }
      }
    }
  }
  return readings;
}

/** Two rejections per city. */
function seedRejections(): Rejection[] {
  return DEFAULT_CITIES.flatMap((city) =>
    stationsOf(city.id)
      .slice(0, 2)
      .map((station) => ({
        receivedAt: FROM + 8 * HOUR,
        city: city.id,
        deviceId: station.id,
        topic: `ucap/${city.id}/${station.id}/readings`,
        code: 'INGEST_OUT_OF_RANGE' as const,
        reason: 'values.pm25: -3 µg/m³ is outside 0..2000',
        payload: '{"ts": "2026-01-10T08:00:00Z", "values": {"pm25": -3}}',
      })),
  );
}

let indexed: IndexedInfluxStore | undefined;

// Seeded through the real store, so the queries read exactly the schema the store writes; the
// index series are written by the real maintainer from those readings.
beforeAll(async () => {
  indexed = await openIndexedInfluxStore(url, DB);
  const { store, writer, maintainer } = indexed;
  await writer.writeReadings(seedReadings());
  await store.writeRejections(seedRejections());
  await maintainer.flush();
});

afterAll(async () => {
  await indexed?.close();
  await influxQuery(`DROP DATABASE "${DB}"`);
});

function shipped(uid: string): Dashboard {
  return JSON.parse(
    readFileSync(join(ROOT, GENERATED_DASHBOARDS_DIR, 'en', `${uid}.json`), 'utf8'),
  ) as Dashboard;
}

function escapeRegex(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

/** A multi-value selection as Grafana's InfluxDB datasource interpolates it: `(a|b)`, regex-escaped. */
function selection(values: readonly string[]): string {
  return values.length === 1 ? escapeRegex(values[0] ?? '') : `(${values.map(escapeRegex).join('|')})`;
}

interface Variables {
  readonly device: string;
  readonly metric: string;
}

/** Replaces Grafana's macros and template variables as Grafana would before sending the query. */
function interpolate(query: string, variables: Variables): string {
  const result = query
    .replaceAll('$timeFilter', `time >= ${FROM}ms and time <= ${TO}ms`)
    .replaceAll('$__interval', '1h')
    .replaceAll('$device', variables.device)
    .replaceAll('$metric', variables.metric);
  // A macro this test does not know would reach InfluxDB unreplaced and hide a broken panel.
  expect(result, 'unreplaced Grafana macro').not.toMatch(/\$(?!\$)(__)?[a-zA-Z]/);
  return result;
}

const ALL: Variables = { device: '.*', metric: '.*' };

describe('Grafana is not run here: every shipped panel query, interpolated as Grafana would, runs on real InfluxDB', () => {
  for (const city of DEFAULT_CITIES) {
    const stations = stationsOf(city.id);
    const picked: Variables = {
      device: selection(stations.slice(0, 2).map((s) => s.id)),
      metric: selection(['pm25', 'no2']),
    };

    it(`${city.name}: the device and metric variables list what the city has reported`, async () => {
      const variables = shipped(`ucap-${city.id}`).templating?.list ?? [];
      const listed = async (name: string) => {
        const query = variables.find((v) => v.name === name)?.query ?? '';
        const result = await influxQuery(query);
        expect(result.error).toBeUndefined();
        return (result.series?.[0]?.values ?? []).map((row) => String(row[1])).sort();
      };
      expect(await listed('device')).toEqual(stations.map((s) => s.id).sort());
      expect(await listed('metric')).toEqual([...new Set(stations.flatMap((s) => s.metrics))].sort());
    });

    for (const [label, variables, devices] of [
      ['all devices and metrics', ALL, stations],
      ['two devices and two metrics selected', picked, stations.slice(0, 2)],
    ] as const) {
      it(`${city.name}, ${label}: every panel's query runs without error and returns data`, async () => {
        for (const panel of shipped(`ucap-${city.id}`).panels) {
          for (const target of panel.targets) {
            const query = interpolate(target.query, variables);
            const result = await influxQuery(query);
            expect(result.error, `${panel.title}: ${query}`).toBeUndefined();
            // A metric's panel is empty when none of the selected devices measures that metric.
            const metric = /"metric" = '(\w+)'/.exec(query)?.[1];
            if (metric !== undefined && !devices.some((d) => d.metrics.some((m) => m === metric))) continue;
            expect(result.series?.length ?? 0, `${panel.title} returned no data: ${query}`).toBeGreaterThan(
              0,
            );
          }
        }
      });
    }

    it(`${city.name}: a metric's time series has one series per device measuring it, hourly`, async () => {
      const panel = shipped(`ucap-${city.id}`).panels.find((p) => p.title.startsWith('PM2.5'));
      const result = await influxQuery(interpolate(panel?.targets[0]?.query ?? '', ALL));
      const devices = (result.series ?? []).map((s) => s.tags?.device).sort();
      expect(devices).toEqual(
        stations
          .filter((s) => s.metrics.includes('pm25'))
          .map((s) => s.id)
          .sort(),
      );
      expect(result.series?.[0]?.values).toHaveLength(72);
    });

    it(`${city.name}: selecting metrics narrows the latest values to those metrics`, async () => {
      const panel = shipped(`ucap-${city.id}`).panels.find((p) => p.type === 'stat');
      const result = await influxQuery(interpolate(panel?.targets[0]?.query ?? '', picked));
      expect((result.series ?? []).map((s) => s.tags?.metric).sort()).toEqual(['no2', 'pm25']);
    });

    it(`${city.name}: the rejections table shows who sent what and why`, async () => {
      const panel = shipped(`ucap-${city.id}`).panels.find((p) => p.title === 'Rejected messages');
      const result = await influxQuery(interpolate(panel?.targets[0]?.query ?? '', ALL));
      const series = result.series?.[0];
      expect(series?.columns).toEqual(['time', 'device', 'code', 'reason', 'topic', 'payload']);
      expect(series?.values).toHaveLength(2);
      expect(series?.values[0]).toContain('INGEST_OUT_OF_RANGE');
    });
  }

  for (const city of DEFAULT_CITIES) {
    it(`${city.name} air quality: every panel's query runs on the index series the maintainer wrote`, async () => {
      for (const panel of shipped(`ucap-aq-${city.id}`).panels) {
        for (const target of panel.targets) {
          const query = interpolate(target.query, ALL);
          const result = await influxQuery(query);
          expect(result.error, `${panel.title}: ${query}`).toBeUndefined();
          // A count of days above a limit is empty when no day was above it.
          if (query.includes('WHERE "mean" >')) continue;
          expect(result.series?.length ?? 0, `${panel.title} returned no data: ${query}`).toBeGreaterThan(0);
        }
      }
    });

    it(`${city.name} air quality: the map gets the latest hourly index of every device`, async () => {
      const panel = shipped(`ucap-aq-${city.id}`).panels.find((p) => p.type === 'geomap');
      const result = await influxQuery(interpolate(panel?.targets[0]?.query ?? '', ALL));
      const devices = (result.series ?? []).map((s) => s.tags?.device).sort();
      expect(devices).toEqual(
        stationsOf(city.id)
          .map((s) => s.id)
          .sort(),
      );
      for (const s of result.series ?? []) expect(s.columns).toEqual(['time', 'index']);
    });
  }

  it('air-quality comparison: each city has one daily index per local day of every standard', async () => {
    for (const panel of shipped('ucap-aq-comparison').panels) {
      for (const target of panel.targets) {
        const result = await influxQuery(interpolate(target.query, ALL));
        expect(result.error).toBeUndefined();
        // Daily rows sit at each city's local midnight: the three UTC days of the range hold three
        // of them in both UTC+1 and UTC+8.
        expect(result.series?.[0]?.values, `${panel.title}: ${target.query}`).toHaveLength(3);
      }
    }
  });

  it('comparison: each city gets one daily mean per local day of the range', async () => {
    for (const panel of shipped('ucap-comparison').panels) {
      for (const target of panel.targets) {
        const query = interpolate(target.query, ALL);
        const result = await influxQuery(query);
        expect(result.error, `${panel.title}: ${query}`).toBeUndefined();
        // Three UTC days touch four local days in both UTC+1 and UTC+8.
        expect(result.series?.[0]?.values, `${panel.title}: ${query}`).toHaveLength(4);
      }
    }
  });
});
