import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { METRIC_IDS } from '../../domain/metrics.ts';
import { mosquittoPub, runProcess } from '../integration/gateway-fixture.ts';
import {
  type AllInOnePorts,
  type AllInOneProcess,
  allocatePorts,
  pollJson,
  startAllInOneProcess,
} from './all-in-one-process.ts';

interface LatestBody {
  values: Array<{ deviceId: string; metric: string; value: number; ts: string }>;
}
interface RejectionsBody {
  rejections: Array<{ deviceId: string; code: string; reason: string; payload: string }>;
}
interface SensorsBody {
  sensors: Array<{ id: string; city: string }>;
}

async function storedCount(apiUrl: string, city: string): Promise<number> {
  const from = new Date(Date.now() - 86_400_000).toISOString();
  const to = new Date(Date.now() + 3_600_000).toISOString();
  let total = 0;
  for (const metric of METRIC_IDS) {
    const query = new URLSearchParams({ city, metric, from, to, every: '1d', agg: 'count' });
    const body = (await (await fetch(`${apiUrl}/v1/series?${query}`)).json()) as {
      series: Array<{ points: Array<{ value: number }> }>;
    };
    total += body.series.flatMap((s) => s.points).reduce((sum, p) => sum + p.value, 0);
  }
  return total;
}

// The acceptance list, run against `npm start` itself: both stores, a real CLI, Debian's mosquitto_pub.
const stores = [
  { name: 'embedded store', env: (): NodeJS.ProcessEnv => ({}) },
  {
    name: 'real InfluxDB 1.x (INFLUX_URL)',
    env: (): NodeJS.ProcessEnv => ({
      INFLUX_URL: inject('influxUrl'),
      INFLUX_DB: `e2e_${process.pid}_${Date.now()}`,
    }),
  },
];

describe.each(stores)('npm start on the $name', ({ env }) => {
  let dataDir: string;
  let ports: AllInOnePorts;
  let app: AllInOneProcess | undefined;
  let storeEnv: NodeJS.ProcessEnv;
  let device: { username: string; password: string };

  afterAll(async () => {
    app?.kill();
    if (dataDir) await rm(dirname(dataDir), { recursive: true, force: true });
  });

  it('serves readings of both cities from simulated devices', async () => {
    dataDir = join(await mkdtemp(join(tmpdir(), 'ucap-e2e-')), 'data');
    ports = await allocatePorts();
    storeEnv = { DATA_DIR: dataDir, ...env() };
    app = await startAllInOneProcess(storeEnv, ports);
    for (const city of ['nice', 'zhengzhou']) {
      const body = await pollJson<LatestBody>(
        `${app.apiUrl}/v1/latest?city=${city}`,
        (b) => b.values.length > 0,
      );
      expect(body.values.every((v) => v.deviceId.startsWith(`${city}-`))).toBe(true);
    }
    // DATA_DIR and everything in it (registry, store, its WAL, presence) are the owner's only.
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    const files = await readdir(dataDir);
    if (storeEnv.INFLUX_URL === undefined) expect(files).toContain('ucap.duckdb');
    for (const file of files) {
      // A file written atomically (presence's temp file) may be renamed away after the listing.
      const info = await stat(join(dataDir, file)).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (info?.isFile() === true) expect({ file, mode: info.mode & 0o077 }).toEqual({ file, mode: 0 });
    }
  });

  it('lets a device added with the CLI publish with mosquitto_pub, and its reading appears', async () => {
    if (!app) throw new Error('not started');
    const added = await runProcess(
      process.execPath,
      ['bin/ucap.js', 'devices', 'add', '--city', 'nice', '--id', 'e2e-dev-1'],
      {
        env: { ...process.env, ...storeEnv },
      },
    );
    expect(added.code, added.stderr).toBe(0);
    const credentials = JSON.parse(added.stdout) as {
      id: string;
      city: string;
      username: string;
      password: string;
    };
    expect(Object.keys(credentials).sort()).toEqual(['city', 'id', 'password', 'username']);
    device = credentials;
    const published = await mosquittoPub(
      app.mqttPort,
      device.username,
      device.password,
      'ucap/nice/e2e-dev-1/readings',
      JSON.stringify({ ts: new Date().toISOString(), values: { pm25: 12.5, no2: 31 } }),
      1,
    );
    expect(published.code, published.stderr).toBe(0);
    const body = await pollJson<LatestBody>(
      `${app.apiUrl}/v1/latest?city=nice&device=e2e-dev-1`,
      (b) => b.values.length === 2,
    );
    expect(body.values.map((v) => [v.metric, v.value])).toEqual([
      ['no2', 31],
      ['pm25', 12.5],
    ]);
  });

  it('refuses a wrong password at connection', async () => {
    if (!app) throw new Error('not started');
    const result = await mosquittoPub(
      app.mqttPort,
      device.username,
      'wrong-password',
      'ucap/nice/e2e-dev-1/readings',
      '{}',
      1,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/not authori[sz]ed|bad user name or password|Connection Refused/i);
  });

  it("stores nothing the device publishes to another device's or another city's topic", async () => {
    if (!app) throw new Error('not started');
    const intruding = JSON.stringify({ ts: new Date().toISOString(), values: { pm25: 777.7 } });
    await mosquittoPub(
      app.mqttPort,
      device.username,
      device.password,
      'ucap/nice/nice-arson/readings',
      intruding,
      1,
    );
    await mosquittoPub(
      app.mqttPort,
      device.username,
      device.password,
      'ucap/zhengzhou/e2e-dev-1/readings',
      intruding,
      1,
    );
    // A legitimate marker published afterwards: once it is stored, the intruders had their chance.
    const marker = JSON.stringify({ ts: new Date().toISOString(), values: { humidity: 42.5 } });
    await mosquittoPub(
      app.mqttPort,
      device.username,
      device.password,
      'ucap/nice/e2e-dev-1/readings',
      marker,
      1,
    );
    await pollJson<LatestBody>(
      `${app.apiUrl}/v1/latest?city=nice&device=e2e-dev-1&metric=humidity`,
      (b) => b.values[0]?.value === 42.5,
    );
    const nice = await pollJson<LatestBody>(`${app.apiUrl}/v1/latest?city=nice&metric=pm25`, () => true);
    expect(nice.values.some((v) => v.value === 777.7)).toBe(false);
    const zhengzhou = await pollJson<SensorsBody>(`${app.apiUrl}/v1/sensors?city=zhengzhou`, () => true);
    expect(zhengzhou.sensors.some((s) => s.id === 'e2e-dev-1')).toBe(false);
  });

  it('lists pm25 -5 and "ts": "yesterday" as rejections with a reason, and stores nothing of them', async () => {
    if (!app) throw new Error('not started');
    const topic = 'ucap/nice/e2e-dev-1/readings';
    await mosquittoPub(
      app.mqttPort,
      device.username,
      device.password,
      topic,
      JSON.stringify({ ts: Date.now(), values: { pm25: -5 } }),
      1,
    );
    await mosquittoPub(
      app.mqttPort,
      device.username,
      device.password,
      topic,
      JSON.stringify({ ts: 'yesterday', values: { pm10: 20 } }),
      1,
    );
    const body = await pollJson<RejectionsBody>(
      `${app.apiUrl}/v1/rejections?city=nice&device=e2e-dev-1`,
      (b) => b.rejections.length >= 2,
    );
    const codes = body.rejections.map((r) => r.code).sort();
    expect(codes).toEqual(['INGEST_BAD_TIMESTAMP', 'INGEST_OUT_OF_RANGE']);
    expect(body.rejections.find((r) => r.code === 'INGEST_OUT_OF_RANGE')?.reason).toMatch(/values\.pm25: -5/);
    const latest = await pollJson<LatestBody>(
      `${app.apiUrl}/v1/latest?city=nice&device=e2e-dev-1`,
      () => true,
    );
    expect(latest.values.find((v) => v.metric === 'pm25')?.value).toBe(12.5);
    expect(latest.values.some((v) => v.metric === 'pm10')).toBe(false);
  });

  it('stops cleanly on Ctrl-C and finds earlier readings after a second start', async () => {
    if (!app) throw new Error('not started');
    const code = await app.interrupt();
    expect(code).toBe(0);
    expect(app.logs.some((l) => /stopped cleanly/.test(l))).toBe(true);
    const totalsLine = app.logs.find((l) => /"msg":"final totals"/.test(l));
    const totals = JSON.parse(totalsLine ?? '{}') as { readingsByCity?: Record<string, number> };
    app = await startAllInOneProcess({ ...storeEnv, SIMULATE: 'false' }, ports);
    // Every reading ingest counted before Ctrl-C is in the store after the restart.
    for (const city of ['nice', 'zhengzhou']) {
      expect(await storedCount(app.apiUrl, city)).toBe(totals.readingsByCity?.[city]);
    }
    const body = await pollJson<LatestBody>(
      `${app.apiUrl}/v1/latest?city=nice&device=e2e-dev-1`,
      () => true,
      5_000,
    );
    expect(body.values.find((v) => v.metric === 'pm25')?.value).toBe(12.5);
    const zhengzhou = await pollJson<LatestBody>(`${app.apiUrl}/v1/latest?city=zhengzhou`, () => true, 5_000);
    expect(zhengzhou.values.length).toBeGreaterThan(0);
    expect(await app.interrupt()).toBe(0);
    app = undefined;
  });
});
