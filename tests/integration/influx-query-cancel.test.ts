import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createInfluxHttp, type InfluxHttp } from '../../store/influxdb/influx-http.ts';
import { rowsOf } from '../../store/influxdb/influx-results.ts';
import { emptyTestDatabase } from '../setup/influx-test-database.ts';

/**
 * The abuse case on InfluxDB: requests given up at their deadline (503) while influxd kept
 * running the abandoned queries. A read our store gives up on — the API request's deadline, the
 * client leaving, the store's own timeout — must end the query in influxd as well, checked here on a
 * real InfluxDB 1.6 with `SHOW QUERIES`. The query below fills 946 million one-second buckets
 * (minutes of one influxd core, in constant memory), so only a cancellation ends it in time.
 */
const database = `ucap_query_cancel_${process.pid}`;
const ENDLESS = `SELECT count(mean) FROM (SELECT mean(v) FROM probe WHERE time >= '2000-01-01T00:00:00Z' AND time < '2030-01-01T00:00:00Z' GROUP BY time(1s) fill(0))`;

const url = inject('influxUrl');
/** Reads under test. */
let http: InfluxHttp;
/** Watches and cleans up influxd beside them, on its own sockets. */
let admin: InfluxHttp;

/** Query ids of the server's running statements that read the probe measurement. */
async function runningProbeQueries(): Promise<number[]> {
  const [running] = (await admin.query('SHOW QUERIES', { database: false })).series;
  const rows = running === undefined ? [] : rowsOf(running);
  return rows.filter((row) => String(row.query).includes('FROM probe')).map((row) => Number(row.qid));
}

/** Waits until influxd runs `count` probe queries (a cancelled one may take a moment to go). */
async function expectProbeQueries(count: number, timeout = 10_000): Promise<void> {
  await vi.waitFor(async () => expect(await runningProbeQueries()).toHaveLength(count), {
    timeout,
    interval: 100,
  });
}

async function killProbeQueries(): Promise<void> {
  for (const id of await runningProbeQueries()) await admin.query(`KILL QUERY ${id}`, { database: false });
}

beforeAll(async () => {
  admin = createInfluxHttp({ api: 'v1', url, database });
  await admin.query(`CREATE DATABASE ${database}`, { database: false });
  await admin.write(['probe v=1 1000000000000', 'probe v=2 1800000000000'], 'ms');
  // Far beyond every wait here: the store's own timeout (10 s by default) must not be what ends a
  // query the caller gave up on, or the caller's cancellation would go untested.
  http = createInfluxHttp({ api: 'v1', url, database, timeoutMs: 300_000 });
});

afterAll(async () => {
  // A failed assertion must not leave influxd busy for the other files on the shared server.
  await killProbeQueries();
  http?.close();
  admin?.close();
  await emptyTestDatabase(url, database);
});

describe('InfluxDB 1.6: a read given up on ends the query in influxd', () => {
  it('a read aborted by its caller (request deadline, client gone) leaves no query running', async () => {
    const caller = new AbortController();
    const read = http.query(ENDLESS, { signal: caller.signal });
    const outcome = read.then(
      () => 'answered',
      () => 'rejected',
    );
    await expectProbeQueries(1);
    caller.abort();
    await expectProbeQueries(0);
    expect(await outcome).toBe('rejected');
  });

  it('a read past the store timeout fails and leaves no query running', async () => {
    const short = createInfluxHttp({ api: 'v1', url, database, timeoutMs: 500 });
    try {
      const failure = await short.query(ENDLESS).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(Error);
      await expectProbeQueries(0);
    } finally {
      short.close();
    }
  });

  it('many reads abandoned at once all end in influxd (the 200-request abuse case, scaled down)', async () => {
    const callers = Array.from({ length: 20 }, () => new AbortController());
    const reads = callers.map((caller) =>
      http.query(ENDLESS, { signal: caller.signal }).then(
        () => 'answered',
        () => 'rejected',
      ),
    );
    await expectProbeQueries(callers.length, 15_000);
    for (const caller of callers) caller.abort();
    await expectProbeQueries(0);
    expect(new Set(await Promise.all(reads))).toEqual(new Set(['rejected']));
  });
});
