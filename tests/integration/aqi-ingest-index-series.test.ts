import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AllInOne, startAllInOne } from '../../app/all-in-one.ts';
import { appConfigSchema } from '../../app/app-config.ts';
import { deviceRegistryPath, openDeviceRegistry } from '../../devices/device-registry.ts';
import { addDays, localDateKey, startOfLocalDay } from '../../domain/air-quality/local-calendar.ts';
import { CityCatalog, DEFAULT_CITIES } from '../../domain/cities.ts';
import { parseConfig } from '../../platform/config.ts';
import { silentLogger } from '../../platform/logger.ts';
import { emptyTestDatabase } from '../setup/influx-test-database.ts';

/**
 * Issue 10's acceptance case through the real ingest path of `npm start` (in this process): a
 * Zhengzhou device publishes PM2.5 35.4 µg/m³ every 5 minutes over MQTT for a whole local day (the
 * day before yesterday, Asia/Shanghai, so the day is complete whatever the time of the run), the
 * gateway stores the readings, the index-series maintainer indexes them, and /v1/aqi reads its HJ
 * 633 daily index 51 (PM2.5 primary) from the stored series — on the embedded store and on
 * InfluxDB 1.6, where the `aqi` measurement Grafana reads holds the same number.
 */
const TZ = 'Asia/Shanghai';
const DEVICE = 'zz-ingest-1';
const day = addDays(localDateKey(Date.now(), TZ), -2);
const FROM = startOfLocalDay(day, TZ);
const TO = startOfLocalDay(addDays(day, 1), TZ);

interface AqiBody {
  source: { stored: number; computed: unknown[] };
  points: { ts: string; value: number | null; primaryPollutants: string[] }[];
}

const STORES: [string, () => Record<string, string>][] = [
  ['the embedded store', () => ({})],
  [
    'InfluxDB 1.6',
    () => ({
      INFLUX_URL: inject('influxUrl'),
      INFLUX_DB: `ucap_aqi_ingest_${Math.random().toString(36).slice(2, 8)}`,
    }),
  ],
];

describe.each(STORES)('index series from MQTT readings on %s', (_name, storeEnv) => {
  let dir = '';
  let app: AllInOne | undefined;
  let env: Record<string, string> = {};

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ucap-aqi-ingest-'));
    env = {
      DATA_DIR: join(dir, 'data'),
      SIMULATE: 'false',
      MQTT_PORT: '0',
      API_PORT: '0',
      BIND_HOST: '127.0.0.1',
      INDEX_SERIES_FLUSH_MS: '200',
      ...storeEnv(),
    };
    const config = parseConfig(appConfigSchema, env);
    const credentials = await openDeviceRegistry(deviceRegistryPath(env.DATA_DIR ?? '')).add({
      city: 'zhengzhou',
      id: DEVICE,
    });
    app = await startAllInOne(config, new CityCatalog(DEFAULT_CITIES), silentLogger());
    const client = await connectAsync(app.mqttUrl, {
      username: credentials.username,
      password: credentials.password,
      clientId: DEVICE,
    });
    try {
      // All in flight at once, as a device catching up after an outage would send them.
      const times = Array.from({ length: (TO - FROM) / 300_000 }, (_, k) => FROM + k * 300_000);
      await Promise.all(
        times.map((ts) =>
          client.publishAsync(
            `ucap/zhengzhou/${DEVICE}/readings`,
            JSON.stringify({ ts: new Date(ts).toISOString(), values: { pm25: 35.4 } }),
            { qos: 1 },
          ),
        ),
      );
    } finally {
      await client.endAsync();
    }
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    if (env.INFLUX_URL !== undefined) {
      await emptyTestDatabase(env.INFLUX_URL, String(env.INFLUX_DB));
    }
    await rm(dir, { recursive: true, force: true });
  });

  async function aqi(every: '1h' | '1d', expectStored: number): Promise<AqiBody> {
    const query = new URLSearchParams({
      city: 'zhengzhou',
      standard: 'hj633',
      every,
      from: new Date(FROM).toISOString(),
      to: new Date(TO).toISOString(),
    });
    // The maintainer flushes every 200 ms: wait for it to have indexed the day.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const response = await fetch(`${app?.apiUrl}/v1/aqi?${query}`);
      const body = (await response.json()) as AqiBody;
      expect(response.status, JSON.stringify(body)).toBe(200);
      if (body.source.stored === expectStored || Date.now() > deadline) return body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('gives the day HJ 633 AQI 51 with PM2.5 primary, read from the stored series', async () => {
    const body = await aqi('1d', 1);
    expect(body.source).toEqual({ stored: 1, computed: [] });
    expect(body.points.map((p) => [p.value, p.primaryPollutants])).toEqual([[51, ['pm25']]]);
    if (env.INFLUX_URL === undefined) return;
    // What Grafana reads: the `aqi` measurement.
    const q = `SELECT "value", "primary" FROM "aqi" WHERE "city" = 'zhengzhou' AND "scope" = 'city' AND "standard" = 'hj633' AND "every" = '1d' AND time = ${FROM}ms`;
    const response = await fetch(
      `${env.INFLUX_URL}/query?${new URLSearchParams({ db: env.INFLUX_DB ?? '', q })}`,
    );
    const result = (await response.json()) as { results: { series?: { values: unknown[][] }[] }[] };
    expect(result.results[0]?.series?.[0]?.values.map((v) => v.slice(1))).toEqual([[51, 'pm25']]);
  });

  it('reads every hour of the day from the stored series', async () => {
    const body = await aqi('1h', 24);
    expect(body.source).toEqual({ stored: 24, computed: [] });
    expect(body.points.map((p) => p.value)).toEqual(body.points.map(() => 51));
  });
});
