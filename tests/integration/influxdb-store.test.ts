import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isUcapError, type UcapError } from '../../domain/errors.ts';
import type { Reading, Rejection } from '../../domain/reading.ts';
import { createInfluxStore, type InfluxV1Options } from '../../store/influxdb/influx-store.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';
import { freePort } from '../setup/free-port.ts';
import { emptyTestDatabase } from '../setup/influx-test-database.ts';
import { type RunningInfluxd, startInfluxd } from '../setup/influxd.ts';
import { describeStoreConformance } from '../store/store-conformance.ts';
import { CITY_HOURS_UPGRADE, conformanceDayZones } from '../store/store-conformance-support.ts';

const url = inject('influxUrl');
const fileTag = Math.random().toString(36).slice(2, 8);
let databaseCount = 0;
const created: string[] = [];

/** A database of this file's own on the shared server, dropped in afterAll. */
function newDatabase(purpose: string): string {
  databaseCount += 1;
  const name = `ucap_${purpose}_${fileTag}_${databaseCount}`;
  created.push(name);
  return name;
}

interface Statement {
  error?: string;
  series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[];
}

async function influxql(
  q: string,
  options: { db?: string; base?: string; auth?: string } = {},
): Promise<Statement> {
  const params = new URLSearchParams({
    epoch: 'ms',
    ...(options.db === undefined ? {} : { db: options.db }),
  });
  const response = await fetch(`${options.base ?? url}/query?${params}`, {
    method: 'POST',
    headers: options.auth === undefined ? {} : { authorization: `Basic ${btoa(options.auth)}` },
    body: new URLSearchParams({ q }),
  });
  const body = (await response.json()) as { error?: string; results?: Statement[] };
  if (body.error !== undefined) throw new Error(`${q}: ${body.error}`);
  const [result] = body.results ?? [];
  if (result?.error !== undefined) throw new Error(`${q}: ${result.error}`);
  return result ?? {};
}

async function rawWrite(db: string, lines: string, precision = 'ms'): Promise<void> {
  const response = await fetch(`${url}/write?${new URLSearchParams({ db, precision })}`, {
    method: 'POST',
    body: lines,
  });
  if (response.status !== 204) throw new Error(`raw write: ${response.status} ${await response.text()}`);
}

const column = (s: Statement, name: string) => {
  const series = s.series?.[0];
  const index = series?.columns.indexOf(name) ?? -1;
  return (series?.values ?? []).map((row) => row[index]);
};

async function failureOf(promise: Promise<unknown>): Promise<UcapError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isUcapError(error)) throw new Error(`expected a UcapError, got ${String(error)}`);
  return error;
}

afterAll(async () => {
  for (const name of created) await emptyTestDatabase(url, name);
});

describeStoreConformance('influxdb 1.6 (v1 API)', async (options) => {
  const database = newDatabase('conformance');
  const store = await createInfluxStore({
    api: 'v1',
    url,
    database,
    dayZoneOf: conformanceDayZones,
    ...options,
  });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await emptyTestDatabase(url, database);
    },
  };
});

const reading: Reading = {
  city: 'nice',
  deviceId: 'p-1',
  metric: 'no2',
  ts: Date.parse('2026-03-20T08:00:00Z'),
  value: 38.5,
};
const rejection: Rejection = {
  receivedAt: Date.parse('2026-03-20T08:00:01.234Z'),
  city: 'nice',
  deviceId: 'p-1',
  topic: 'ucap/nice/p-1/readings',
  code: 'INGEST_INVALID_JSON',
  reason: 'not JSON',
  payload: '{oops',
};

describe('InfluxDB store on InfluxDB 1.6: database and schema', () => {
  const database = newDatabase('schema');
  let store: TimeSeriesStore;
  beforeAll(async () => {
    store = await createInfluxStore({ api: 'v1', url, database });
    await store.writeReadings([reading]);
    await store.writeRejections([rejection, rejection]);
  });
  afterAll(async () => {
    await store.close();
  });

  it('creates its database on open', async () => {
    const databases = column(await influxql('SHOW DATABASES'), 'name');
    expect(databases).toContain(database);
  });

  it('stores readings as measurement "readings": tags city, device, metric; float field value and string field time_source', async () => {
    expect(column(await influxql('SHOW TAG KEYS FROM "readings"', { db: database }), 'tagKey')).toEqual([
      'city',
      'device',
      'metric',
    ]);
    const fields = await influxql('SHOW FIELD KEYS FROM "readings"', { db: database });
    // time_source is a field, not a tag: the flag adds no series.
    expect(fields.series?.[0]?.values).toEqual([
      ['time_source', 'string'],
      ['value', 'float'],
    ]);
  });

  it('stores rejections as measurement "rejections": tags city, device, code and string fields', async () => {
    expect(column(await influxql('SHOW TAG KEYS FROM "rejections"', { db: database }), 'tagKey')).toEqual([
      'city',
      'code',
      'device',
    ]);
    const fields = await influxql('SHOW FIELD KEYS FROM "rejections"', { db: database });
    expect(fields.series?.[0]?.values).toEqual([
      ['payload', 'string'],
      ['reason', 'string'],
      ['topic', 'string'],
    ]);
  });

  it('gives each rejection its own nanosecond inside the millisecond it was received', async () => {
    const response = await fetch(
      `${url}/query?${new URLSearchParams({ db: database, epoch: 'ns', q: 'SELECT "reason" FROM "rejections"' })}`,
    );
    // Epoch nanoseconds read as text: they do not fit a JS number (and RFC 3339 output trims trailing zeros).
    const times = [...(await response.text()).matchAll(/\[(\d{19}),/g)].map((m) => m[1]);
    expect(times).toHaveLength(2);
    expect(new Set(times).size).toBe(2);
    const receivedMs = String(Date.parse('2026-03-20T08:00:01.234Z'));
    for (const time of times) expect(time?.slice(0, 13)).toBe(receivedMs);
  });

  it('answers the dashboards\u2019 kind of InfluxQL with what the store wrote', async () => {
    const result = await influxql(
      `SELECT last("value") AS "value" FROM "readings" WHERE "city" = 'nice' GROUP BY "device", "metric"`,
      { db: database },
    );
    expect(result.series?.map((s) => [s.tags, s.values])).toEqual([
      [{ device: 'p-1', metric: 'no2' }, [[reading.ts, 38.5]]],
    ]);
  });

  it('opens again on an existing database and sees its data', async () => {
    const again = await createInfluxStore({ api: 'v1', url, database });
    try {
      expect(await again.latest({ city: 'nice' })).toEqual([reading]);
    } finally {
      await again.close();
    }
  });

  it('opens a database whose hourly rollups predate city hours: city means come from them at once', async () => {
    const db = newDatabase('cityhours');
    const first = await createInfluxStore({ api: 'v1', url, database: db });
    await first.writeReadings(CITY_HOURS_UPGRADE.readings);
    await first.rollUp();
    await first.close();
    await influxql('DROP MEASUREMENT "readings_1h_city"', { db });
    const store = await createInfluxStore({ api: 'v1', url, database: db });
    try {
      expect(await store.cityMeanSeries(CITY_HOURS_UPGRADE.query)).toEqual(CITY_HOURS_UPGRADE.expected);
      const stored = await influxql(`SELECT "devices" FROM "readings_1h_city" WHERE "metric" = 'pm25'`, {
        db,
      });
      expect(column(stored, 'devices')).toEqual([2]);
    } finally {
      await store.close();
    }
  });

  it('aligns buckets of several days like the embedded store: 7-day buckets start on local Mondays', async () => {
    const s = { city: `weekly-${fileTag}`, deviceId: 'w-1' };
    await store.writeReadings([
      { ...s, metric: 'pm10', ts: Date.parse('2026-03-11T12:00:00Z'), value: 10 }, // Wednesday
      { ...s, metric: 'pm10', ts: Date.parse('2026-03-15T22:00:00Z'), value: 30 }, // Sunday 23:00 CET
      { ...s, metric: 'pm10', ts: Date.parse('2026-03-15T23:00:00Z'), value: 99 }, // Monday 00:00 CET
    ]);
    const series = await store.series({
      city: s.city,
      metric: 'pm10',
      from: Date.parse('2026-03-01T00:00:00Z'),
      to: Date.parse('2026-03-31T00:00:00Z'),
      everyMs: 7 * 86_400_000,
      agg: 'mean',
      timeZone: 'Europe/Paris',
    });
    expect(series).toEqual([
      {
        deviceId: 'w-1',
        points: [
          { ts: Date.parse('2026-03-08T23:00:00Z'), value: 20 },
          { ts: Date.parse('2026-03-15T23:00:00Z'), value: 99 },
        ],
      },
    ]);
  });
});

/** The hours of one day block as stored: [hour, n, total, low, high] for hours with readings. */
function unpackBlock(packed: unknown): number[][] {
  const bytes = Buffer.from(String(packed), 'base64');
  expect(bytes.length).toBe(24 * 4 * 8);
  const hours: number[][] = [];
  for (let hour = 0; hour < 24; hour += 1) {
    const slot = (at: number) => bytes.readDoubleLE(hour * 32 + at);
    const n = slot(0);
    if (n !== 0) hours.push([hour, n, slot(8), slot(16), slot(24)]);
  }
  return hours;
}

describe('InfluxDB store on InfluxDB 1.6: hourly series from day blocks', () => {
  const database = newDatabase('blocks');
  let store: TimeSeriesStore;
  const day = Date.parse('2026-05-04T00:00:00Z');
  const HOUR = 3_600_000;
  const hourly = (city: string, from: number, to: number, agg: 'mean' | 'count' = 'mean') => ({
    city,
    metric: 'pm25' as const,
    from,
    to,
    everyMs: HOUR,
    agg,
    timeZone: 'Europe/Paris',
    withCount: true,
  });
  beforeAll(async () => {
    store = await createInfluxStore({ api: 'v1', url, database, dayZoneOf: conformanceDayZones });
  });
  afterAll(async () => {
    await store.close();
  });

  it('packs a UTC day of one device and metric per point, its hourly sums bit for bit', async () => {
    const city = `packed-${fileTag}`;
    const at = (hour: number, minute = 0) => day + hour * HOUR + minute * 60_000;
    // Two devices and two metrics in the same hours: a block holds one device's one metric.
    await store.writeReadings([
      { city, deviceId: 'a', metric: 'pm25', ts: at(3), value: 0.1 },
      { city, deviceId: 'a', metric: 'pm25', ts: at(3, 20), value: 0.2 },
      { city, deviceId: 'a', metric: 'pm25', ts: at(3, 40), value: 0.3 },
      { city, deviceId: 'a', metric: 'pm25', ts: at(23, 59), value: 7 },
      { city, deviceId: 'a', metric: 'no2', ts: at(3), value: 100 },
      { city, deviceId: 'b', metric: 'pm25', ts: at(3), value: 50 },
      { city, deviceId: 'b', metric: 'pm25', ts: at(24), value: 9 },
    ]);
    await store.rollUp();
    const stored = await influxql(
      `SELECT "hours", "device", "metric" FROM "readings_1h_packed" WHERE "city" = '${city}' GROUP BY "device", "metric"`,
      { db: database },
    );
    const blocks = (stored.series ?? []).flatMap((s) =>
      s.values.map((row) => [s.tags?.device, s.tags?.metric, row[0], unpackBlock(row[1])]),
    );
    expect(blocks).toEqual([
      // 0.1 + 0.2 + 0.3 is 0.6000000000000001 in float64: kept exactly, not rounded through text.
      ['a', 'no2', day, [[3, 1, 100, 100, 100]]],
      [
        'a',
        'pm25',
        day,
        [
          [3, 3, 0.1 + 0.2 + 0.3, 0.1, 0.3],
          [23, 1, 7, 7, 7],
        ],
      ],
      ['b', 'pm25', day, [[3, 1, 50, 50, 50]]],
      ['b', 'pm25', day + 24 * HOUR, [[0, 1, 9, 9, 9]]],
    ]);
    expect(await store.series(hourly(city, day, day + 2 * 24 * HOUR))).toEqual([
      {
        deviceId: 'a',
        points: [
          { ts: at(3), value: (0.1 + 0.2 + 0.3) / 3, count: 3 },
          { ts: at(23), value: 7, count: 1 },
        ],
      },
      {
        deviceId: 'b',
        points: [
          { ts: at(3), value: 50, count: 1 },
          { ts: at(24), value: 9, count: 1 },
        ],
      },
    ]);
  });

  it('answers a range starting and ending inside days with only the hours inside it', async () => {
    const city = `cut-${fileTag}`;
    // One reading every hour for two days, valued by its hour.
    await store.writeReadings(
      Array.from({ length: 48 }, (_, hour) => ({
        city,
        deviceId: 'c',
        metric: 'pm25' as const,
        ts: day + hour * HOUR + 60_000,
        value: hour,
      })),
    );
    await store.rollUp();
    const [series] = await store.series(hourly(city, day + 20 * HOUR, day + 27 * HOUR));
    expect(series?.points.map((p) => [p.ts, p.value])).toEqual(
      [20, 21, 22, 23, 24, 25, 26].map((hour) => [day + hour * HOUR, hour]),
    );
    const [inside] = await store.series(hourly(city, day + 5 * HOUR, day + 7 * HOUR));
    expect(inside?.points.map((p) => p.value)).toEqual([5, 6]);
  });

  it('shows a late reading for an hour days before the newest in the hourly series, other devices unchanged', async () => {
    const city = `late-${fileTag}`;
    const old = day + 10 * HOUR;
    const other = { deviceId: 'e', points: [{ ts: old, value: 70, count: 1 }] };
    await store.writeReadings([
      { city, deviceId: 'd', metric: 'pm25', ts: old, value: 10 },
      { city, deviceId: 'e', metric: 'pm25', ts: old, value: 70 },
      { city, deviceId: 'd', metric: 'pm25', ts: old + 3 * 24 * HOUR, value: 99 },
    ]);
    await store.rollUp();
    const query = hourly(city, old - HOUR, old + 2 * HOUR);
    expect(await store.series(query)).toEqual([
      { deviceId: 'd', points: [{ ts: old, value: 10, count: 1 }] },
      other,
    ]);
    await store.writeReadings([
      { city, deviceId: 'd', metric: 'pm25', ts: old + 30 * 60_000, value: 20 },
      { city, deviceId: 'd', metric: 'pm25', ts: old + HOUR, value: 5 },
    ]);
    await store.rollUp();
    expect(await store.series(query)).toEqual([
      {
        deviceId: 'd',
        points: [
          { ts: old, value: 15, count: 2 },
          { ts: old + HOUR, value: 5, count: 1 },
        ],
      },
      // Only d's blocks were rewritten: e's day is as it was.
      other,
    ]);
  });

  it('opens a database whose hourly rollups predate day blocks: hourly series answer the same at once', async () => {
    const db = newDatabase('preblocks');
    const first = await createInfluxStore({ api: 'v1', url, database: db });
    await first.writeReadings(CITY_HOURS_UPGRADE.readings);
    await first.rollUp();
    const query = { ...CITY_HOURS_UPGRADE.query, withCount: true };
    const before = await first.series(query);
    await first.close();
    expect(before.map((s) => s.deviceId)).toEqual(['p-1', 'p-2']);
    await influxql('DROP MEASUREMENT "readings_1h_packed"', { db });
    const store = await createInfluxStore({ api: 'v1', url, database: db });
    try {
      expect(await store.series(query)).toEqual(before);
      const stored = await influxql(`SELECT "hours" FROM "readings_1h_packed" WHERE "metric" = 'pm25'`, {
        db,
      });
      expect(stored.series?.[0]?.values).toHaveLength(2);
    } finally {
      await store.close();
    }
  });

  it('opens a database whose first computing of day blocks stopped midway: the missing days get theirs', async () => {
    const db = newDatabase('halfblocks');
    const first = await createInfluxStore({ api: 'v1', url, database: db });
    const reading = (days: number, metric: 'pm25' | 'no2', value: number) => ({
      city: 'nice',
      deviceId: 'h-1',
      metric,
      ts: day + days * 24 * HOUR + 6 * HOUR,
      value,
    });
    await first.writeReadings([reading(0, 'pm25', 1), reading(1, 'pm25', 2), reading(4, 'no2', 3)]);
    await first.rollUp();
    await first.close();
    // Stopped after the first day: the later days (the newest included) have no block.
    await influxql(`DELETE FROM "readings_1h_packed" WHERE time >= ${day + 24 * HOUR}ms`, { db });
    const store = await createInfluxStore({ api: 'v1', url, database: db });
    try {
      const series = await store.series(hourly('nice', day, day + 2 * 24 * HOUR));
      expect(series).toEqual([
        {
          deviceId: 'h-1',
          points: [
            { ts: reading(0, 'pm25', 1).ts, value: 1, count: 1 },
            { ts: reading(1, 'pm25', 2).ts, value: 2, count: 1 },
          ],
        },
      ]);
    } finally {
      await store.close();
    }
  });
});

describe('InfluxDB store on InfluxDB 1.6: refused writes', () => {
  it('reports a batch InfluxDB refuses (400, field type conflict) as STORE_WRITE_FAILED, not retryable', async () => {
    const database = newDatabase('conflict');
    const store = await createInfluxStore({ api: 'v1', url, database });
    try {
      await rawWrite(
        database,
        `readings,city=nice,device=p-1,metric=no2 value="a string" ${reading.ts - 1000}`,
      );
      const error = await failureOf(store.writeReadings([reading]));
      expect(error.code).toBe('STORE_WRITE_FAILED');
      expect(error.canRetry()).toBe(false);
      expect(error.message).toContain('400');
      expect(error.message).toContain('field type conflict');
      expect(error.message).toContain(database);
    } finally {
      await store.close();
    }
  });

  it('reports a database dropped behind its back (404) as not retryable, naming INFLUX_DB', async () => {
    const database = newDatabase('dropped');
    const store = await createInfluxStore({ api: 'v1', url, database });
    try {
      await influxql(`DROP DATABASE "${database}"`);
      const error = await failureOf(store.writeReadings([reading]));
      expect(error.code).toBe('STORE_WRITE_FAILED');
      expect(error.canRetry()).toBe(false);
      expect(error.message).toContain('database not found');
      expect(error.message).toContain('INFLUX_DB');
    } finally {
      await store.close();
    }
  });
});

describe('InfluxDB store on InfluxDB 1.6 with authentication', () => {
  const admin = { user: 'admin', password: 'admin-pw-1' };
  const writer = { user: 'writer', password: 'writer-pw-1' };
  const database = 'ucap_auth';
  let server: RunningInfluxd;
  let options: InfluxV1Options;

  beforeAll(async () => {
    // influxd reads INFLUXDB_<SECTION>_<KEY> over its config file: the shared setup, auth on.
    process.env.INFLUXDB_HTTP_AUTH_ENABLED = 'true';
    try {
      server = await startInfluxd();
    } finally {
      delete process.env.INFLUXDB_HTTP_AUTH_ENABLED;
    }
    const base = server.url;
    const adminAuth = `${admin.user}:${admin.password}`;
    await influxql(`CREATE USER "${admin.user}" WITH PASSWORD '${admin.password}' WITH ALL PRIVILEGES`, {
      base,
    });
    await influxql(`CREATE DATABASE "${database}"`, { base, auth: adminAuth });
    await influxql(`CREATE USER "${writer.user}" WITH PASSWORD '${writer.password}'`, {
      base,
      auth: adminAuth,
    });
    await influxql(`GRANT ALL ON "${database}" TO "${writer.user}"`, { base, auth: adminAuth });
    options = { api: 'v1', url: base, database, username: writer.user, password: writer.password };
  });
  afterAll(async () => {
    await server.stop();
  });

  it('opens as a user without the admin privilege, logging that it cannot create the database', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const store = await createInfluxStore({ ...options, logger });
    try {
      await store.writeReadings([reading]);
      expect(await store.latest({ city: 'nice' })).toEqual([reading]);
      const warning = lines
        .map((l) => JSON.parse(l) as { level: number; msg: string })
        .find((l) => l.level === 40);
      expect(warning?.msg).toMatch(/not allowed to create the database.*assuming it exists/);
      expect(lines.join('\n')).not.toContain(writer.password);
    } finally {
      await store.close();
    }
  });

  it('refuses to open with a wrong password: not retryable, says which variables to check, never the password', async () => {
    const error = await failureOf(createInfluxStore({ ...options, password: 'wrong-secret-9' }));
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.canRetry()).toBe(false);
    expect(error.message).toContain('401');
    expect(error.message).toContain('check INFLUX_USERNAME/INFLUX_PASSWORD');
    expect(error.message).not.toContain('wrong-secret-9');
  });

  it('refuses to open without credentials on a server that requires them, saying what to set', async () => {
    const error = await failureOf(createInfluxStore({ api: 'v1', url: server.url, database }));
    expect(error.canRetry()).toBe(false);
    expect(error.message).toContain('set INFLUX_USERNAME/INFLUX_PASSWORD');
  });

  /** A user with every right on the database, created by the admin. */
  async function newUser(user: string, password: string): Promise<{ user: string; password: string }> {
    const auth = `${admin.user}:${admin.password}`;
    await influxql(`CREATE USER "${user}" WITH PASSWORD '${password}'`, { base: server.url, auth });
    await influxql(`GRANT ALL ON "${database}" TO "${user}"`, { base: server.url, auth });
    return { user, password };
  }

  async function changePassword(user: string, password: string): Promise<void> {
    const auth = `${admin.user}:${admin.password}`;
    await influxql(`SET PASSWORD FOR "${user}" = '${password}'`, { base: server.url, auth });
  }

  it('fails writes with a non-retryable 401 once the password has been changed on the server', async () => {
    const user = await newUser('rotated', 'rotated-pw-1');
    const store = await createInfluxStore({ ...options, username: user.user, password: user.password });
    try {
      await store.writeReadings([reading]);
      await changePassword(user.user, 'changed-pw-2');
      const error = await failureOf(store.writeReadings([reading]));
      expect(error.code).toBe('STORE_WRITE_FAILED');
      expect(error.canRetry()).toBe(false);
      expect(error.message).toContain('check INFLUX_USERNAME/INFLUX_PASSWORD');
    } finally {
      await store.close();
    }
  });

  it('says why InfluxDB refused a series read from rollups (answered in MessagePack) in words', async () => {
    const user = await newUser('reader', 'reader-pw-1');
    const store = await createInfluxStore({ ...options, username: user.user, password: user.password });
    try {
      await store.writeReadings([reading]);
      await store.rollUp();
      const hour = { from: reading.ts, to: reading.ts + 3_600_000, everyMs: 3_600_000 };
      const query = { city: 'nice', metric: 'no2' as const, ...hour, agg: 'mean' as const, timeZone: 'UTC' };
      expect(await store.series(query)).toEqual([
        { deviceId: 'p-1', points: [{ ts: reading.ts, value: 38.5 }] },
      ]);
      await changePassword(user.user, 'changed-pw-3');
      const error = await failureOf(store.series(query));
      expect(error.code).toBe('STORE_QUERY_FAILED');
      // Not the MessagePack body decoded as text: the status line, and what to check.
      expect(error.message).toMatch(
        /answered 401 while reading a series: Unauthorized; the credentials were refused: check INFLUX_USERNAME/,
      );
      expect(error.message).not.toContain('\uFFFD');
    } finally {
      await store.close();
    }
  });

  // Last in this block: it stops the server.
  it('reports a stopped server as STORE_UNAVAILABLE that may be retried, for writes, reads and ping', async () => {
    const store = await createInfluxStore(options);
    try {
      await server.stop();
      const failures = await Promise.all([
        failureOf(store.writeReadings([reading])),
        failureOf(store.latest({ city: 'nice' })),
        failureOf(store.ping()),
      ]);
      for (const error of failures) {
        expect(error.code).toBe('STORE_UNAVAILABLE');
        expect(error.canRetry()).toBe(true);
        expect(error.message).toContain('ECONNREFUSED');
        expect(error.message).toContain(server.url);
      }
    } finally {
      await store.close();
    }
  });
});

describe('InfluxDB store with no server', () => {
  it('fails to open with a retryable STORE_UNAVAILABLE naming the URL', async () => {
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    const error = await failureOf(createInfluxStore({ api: 'v1', url: deadUrl, database: 'ucap' }));
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.canRetry()).toBe(true);
    expect(error.message).toContain(deadUrl);
    expect(error.message).toContain('is it running?');
  });
});
