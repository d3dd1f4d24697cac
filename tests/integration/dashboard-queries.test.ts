import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GENERATED_DASHBOARDS_DIR } from '../../dashboards/generated-files.ts';
import { pollutantCode } from '../../dashboards/influxql.ts';
import {
  addDays,
  hoursOfLocalDay,
  localDateKey,
  startOfLocalDay,
} from '../../domain/air-quality/local-calendar.ts';
import type { AqPollutant } from '../../domain/air-quality/pollutants.ts';
import { DEFAULT_CITIES } from '../../domain/cities.ts';
import { createSeededRandom } from '../../simulators/seeded-random.ts';
import { stationsOf } from '../../simulators/stations.ts';
import { createValueModel } from '../../simulators/value-model.ts';
import { emptyTestDatabase } from '../setup/influx-test-database.ts';
import { type InfluxIngest, startInfluxIngest } from './influx-ingest-fixture.ts';

/**
 * Grafana is not run here. What it would do is: take each panel's InfluxQL, replace its macros and
 * template variables, and send it to InfluxDB's /query. This test does exactly that with the
 * shipped JSON against the real InfluxDB 1.x of the test setup, on readings devices sent over MQTT
 * through the real gateway and ingest pipeline (tests/integration/influx-ingest-fixture.ts): a
 * simulated network for three days, and a few devices with known values to check what panels show.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DB = `ucap_dashboard_queries_${Math.random().toString(36).slice(2, 8)}`;
const KNOWN_DB = `${DB}_known`;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Three whole UTC days ending yesterday's UTC midnight: inside the 30 days ingest accepts.
const FROM = Math.floor(Date.now() / DAY) * DAY - 4 * DAY;
const TO = FROM + 3 * DAY;

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

async function influxQuery(q: string, db = DB): Promise<QueryResult> {
  const params = new URLSearchParams({ db, q, epoch: 'ms' });
  const response = await fetch(`${url}/query?${params}`, { method: 'POST' });
  const body = (await response.json()) as { error?: string; results?: QueryResult[] };
  if (body.error) return { error: body.error };
  return body.results?.[0] ?? { error: 'no result' };
}

/** What every simulated station sent, by device and hour: its values. */
const sent = new Map<string, Map<number, Record<string, number>>>();

/** Three days of hourly simulated readings from every station, one message per station and hour. */
async function sendSimulatedNetwork(ingest: InfluxIngest): Promise<void> {
  const publishes: Promise<void>[] = [];
  for (const city of DEFAULT_CITIES) {
    for (const station of stationsOf(city.id)) {
      await ingest.connect(city.id, station.id);
      const model = createValueModel(station, { timeZone: city.timeZone, random: createSeededRandom(1) });
      const byHour = new Map<number, Record<string, number>>();
      sent.set(station.id, byHour);
      for (let ts = FROM; ts < TO; ts += HOUR) {
        const values = { ...model.valuesAt(ts) } as Record<string, number>;
        byHour.set(ts, values);
        publishes.push(ingest.publish(city.id, station.id, ts, values));
      }
    }
    // Two messages per city the pipeline refuses (a negative concentration): the rejections table.
    for (const station of stationsOf(city.id).slice(0, 2)) {
      publishes.push(ingest.publish(city.id, station.id, FROM + 8 * HOUR, { pm25: -3 }));
    }
  }
  await Promise.all(publishes);
}

// ---- Known values (KNOWN_DB), on the last local days of each city -------------------------------

const ZZ = 'Asia/Shanghai';
const NICE = 'Europe/Paris';
const localDay = (daysAgo: number, timeZone: string) => addDays(localDateKey(Date.now(), timeZone), -daysAgo);

/** One message per local hour of `day` (the first `hours` of them), mid-hour. */
async function sendDay(
  ingest: InfluxIngest,
  city: string,
  deviceId: string,
  day: string,
  timeZone: string,
  values: (hour: number) => Record<string, number>,
  hours = 25,
): Promise<void> {
  await ingest.connect(city, deviceId);
  const starts = hoursOfLocalDay(day, timeZone).slice(0, hours);
  await Promise.all(starts.map((ts, i) => ingest.publish(city, deviceId, ts + HOUR / 2, values(i))));
}

/**
 * Zhengzhou: PM2.5 35.4 µg/m³ all of yesterday (HJ 633 daily index 51), 80 the day before (above
 * the GB 3095—2026 grade II 24-hour limit 60 and WHO's 15), 90 three days ago but only for 19
 * hours (valid for WHO's 18-hour rule, not for GB 3095's 20) and NO2 at 250 µg/m³ for 3 hours two
 * days ago (above the 1-hour limit 200). Nice: PM10 60 yesterday (above the EU limit 50 and WHO's
 * 45), 80 for only 17 hours the day before (not a valid day), 40 three days ago.
 */
async function sendKnownValues(ingest: InfluxIngest): Promise<void> {
  await Promise.all([
    sendDay(ingest, 'zhengzhou', 'zz-known', localDay(1, ZZ), ZZ, () => ({ pm25: 35.4 })),
    sendDay(ingest, 'zhengzhou', 'zz-known', localDay(2, ZZ), ZZ, (h) =>
      h >= 10 && h < 13 ? { pm25: 80, no2: 250 } : { pm25: 80 },
    ),
    sendDay(ingest, 'zhengzhou', 'zz-known', localDay(3, ZZ), ZZ, () => ({ pm25: 90 }), 19),
    sendDay(ingest, 'nice', 'nice-known', localDay(1, NICE), NICE, () => ({ pm10: 60 })),
    sendDay(ingest, 'nice', 'nice-known', localDay(2, NICE), NICE, () => ({ pm10: 80 }), 17),
    sendDay(ingest, 'nice', 'nice-known', localDay(3, NICE), NICE, () => ({ pm10: 40 })),
  ]);
}

let ingests: InfluxIngest[] = [];

// Both databases are filled the way devices fill the real one; finishing each pipeline writes the
// index series of the days touched, as the running gateway's maintainer does.
beforeAll(async () => {
  const [network, known] = await Promise.all([startInfluxIngest(url, DB), startInfluxIngest(url, KNOWN_DB)]);
  ingests = [network, known];
  await Promise.all([sendSimulatedNetwork(network), sendKnownValues(known)]);
  await Promise.all(ingests.map((i) => i.finish()));
});

afterAll(async () => {
  await Promise.all(ingests.map((i) => i.finish()));
  await emptyTestDatabase(url, DB);
  await emptyTestDatabase(url, KNOWN_DB);
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
function interpolate(query: string, variables: Variables, range = { from: FROM, to: TO }): string {
  const result = query
    .replaceAll('$timeFilter', `time >= ${range.from}ms and time <= ${range.to}ms`)
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
            // Rejections are kept at the time they were received: now.
            const range = target.query.includes('FROM "rejections"')
              ? { from: FROM, to: Date.now() + 60_000 }
              : undefined;
            const query = interpolate(target.query, variables, range);
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

    it(`${city.name}: the latest values show the mean of what the selected devices sent in the last hour`, async () => {
      const panel = shipped(`ucap-${city.id}`).panels.find((p) => p.type === 'stat');
      const result = await influxQuery(interpolate(panel?.targets[0]?.query ?? '', picked));
      const lastHour = TO - HOUR;
      for (const metric of ['pm25', 'no2']) {
        const shown = result.series?.find((s) => s.tags?.metric === metric)?.values.at(-1);
        const values = stations
          .slice(0, 2)
          .flatMap((s) => sent.get(s.id)?.get(lastHour)?.[metric] ?? []) as number[];
        if (values.length === 0) continue;
        expect(shown?.[0]).toBe(lastHour);
        expect(shown?.[1]).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
      }
    });

    it(`${city.name}: the rejections table shows who sent what and why`, async () => {
      const panel = shipped(`ucap-${city.id}`).panels.find((p) => p.title === 'Rejected messages');
      // A rejection is kept at the time it was received: now.
      const result = await influxQuery(
        interpolate(panel?.targets[0]?.query ?? '', ALL, { from: FROM, to: Date.now() + 60_000 }),
      );
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
          // An exceedance row is empty for a pollutant no device of the city measures.
          const metric = /"metric" = '(\w+)'/.exec(query)?.[1];
          if (metric !== undefined && !stationsOf(city.id).some((d) => d.metrics.some((m) => m === metric)))
            continue;
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

  it('air-quality comparison: each city has its daily index at its own local midnights, every whole local day of the range', async () => {
    for (const panel of shipped('ucap-aq-comparison').panels) {
      for (const target of panel.targets) {
        const result = await influxQuery(interpolate(target.query, ALL));
        expect(result.error).toBeUndefined();
        const city = DEFAULT_CITIES.find((c) => target.query.includes(`"city" = '${c.id}'`));
        if (!city) throw new Error(`no city in ${target.query}`);
        const times = (result.series?.[0]?.values ?? []).map((v) => Number(v[0]));
        for (const ts of times)
          expect(startOfLocalDay(localDateKey(ts, city.timeZone), city.timeZone)).toBe(ts);
        // The local days wholly inside the three UTC days: two in both UTC+1 and UTC+8. (A partial
        // day at either end has a daily index only where its standard needs no more hours.)
        const first = addDays(localDateKey(FROM, city.timeZone), 1);
        const whole = [first, addDays(first, 1)].map((d) => startOfLocalDay(d, city.timeZone));
        expect(times, `${panel.title}: ${target.query}`).toEqual(expect.arrayContaining(whole));
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

/** Runs a shipped panel's targets on the known-values database, over the last four local days to now. */
async function knownRows(dashboard: string, title: (t: string) => boolean, timeZone: string) {
  const panel = shipped(dashboard).panels.find((p) => title(p.title));
  if (!panel) throw new Error(`no panel in ${dashboard}`);
  const range = { from: startOfLocalDay(localDay(3, timeZone), timeZone), to: Date.now() };
  const rows: Record<string, unknown>[] = [];
  for (const target of panel.targets) {
    const result = await influxQuery(interpolate(target.query, ALL, range), KNOWN_DB);
    expect(result.error, target.query).toBeUndefined();
    for (const series of result.series ?? [])
      for (const values of series.values)
        rows.push({ ...series.tags, ...Object.fromEntries(series.columns.map((c, i) => [c, values[i]])) });
  }
  return rows;
}

describe('Grafana is not run here: what the air-quality panels show for devices that sent known values', () => {
  it('Zhengzhou: PM2.5 35.4 µg/m³ all of yesterday shows an HJ 633 daily index of 51', async () => {
    const rows = await knownRows(
      'ucap-aq-zhengzhou',
      (t) => t.includes('(HJ 633)') && t.startsWith('Hourly'),
      ZZ,
    );
    const yesterday = startOfLocalDay(localDay(1, ZZ), ZZ);
    const daily = rows.filter((r) => r.time === yesterday && r.value !== undefined);
    // The daily row and the hourly row at local midnight share the time; the daily is the later target.
    expect(daily.map((r) => r.value)).toContain(51);
    // The primary pollutant of that day, as stored beside the value.
    const primary = await influxQuery(
      `SELECT * FROM "aqi" WHERE "city" = 'zhengzhou' AND "scope" = 'city' AND "standard" = 'hj633' AND "every" = '1d' AND time = ${yesterday}ms`,
      KNOWN_DB,
    );
    const series = primary.series?.[0];
    const row = Object.fromEntries((series?.columns ?? []).map((c, i) => [c, series?.values[0]?.[i]]));
    expect(row.value).toBe(51);
    expect(String(row.primary)).toContain('pm25');
  });

  const exceedances = (dashboard: string, standard: string, timeZone: string) =>
    knownRows(dashboard, (t) => t.includes(standard) && /exceedances/i.test(t), timeZone);
  const row = (rows: Record<string, unknown>[], pollutant: AqPollutant, hours: number) =>
    rows.find((r) => r.pollutant === pollutantCode(pollutant) && r.hours === hours);

  it('Zhengzhou, GB 3095—2026: a day counts only with 20 hourly values; hours above the 1-hour limit are counted', async () => {
    const rows = await exceedances('ucap-aq-zhengzhou', 'GB 3095', ZZ);
    // 35.4 and 80 are valid days, 80 is above 60; the 19-hour day at 90 does not count.
    expect(row(rows, 'pm25', 24)).toMatchObject({ limit: 60, so_far: 1, valid: 2, periods: 4, coverage: 50 });
    // 95th percentile: with 2 valid days, no day above 60 keeps it at or below the limit.
    expect(row(rows, 'pm25', 24)?.allowed).toBe(0);
    expect(row(rows, 'no2', 1)).toMatchObject({ limit: 200, so_far: 3, valid: 3, allowed: 0 });
    // Three hours of NO2 make no valid day.
    expect(row(rows, 'no2', 24)).toMatchObject({ limit: 80, so_far: 0, valid: 0, allowed: 0 });
  });

  it('Zhengzhou, WHO 2021: the same days under the 18-hour rule count the 19-hour day too', async () => {
    const rows = await exceedances('ucap-aq-zhengzhou', 'WHO', ZZ);
    expect(row(rows, 'pm25', 24)).toMatchObject({ limit: 15, so_far: 3, valid: 3, periods: 4, allowed: 0 });
  });

  it('Nice, Directive 2008/50/EC: PM10 days above 50 against the 35 allowed, the 17-hour day left out', async () => {
    const rows = await exceedances('ucap-aq-nice', '2008/50/EC', NICE);
    expect(row(rows, 'pm10', 24)).toMatchObject({ limit: 50, allowed: 35, so_far: 1, valid: 2, periods: 4 });
    const who = await exceedances('ucap-aq-nice', 'WHO', NICE);
    expect(row(who, 'pm10', 24)).toMatchObject({ limit: 45, so_far: 1, valid: 2 });
  });
});
