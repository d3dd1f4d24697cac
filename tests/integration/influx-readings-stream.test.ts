import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { exportBody, openExportPages, readWithoutDeadline } from '../../api/readings-export.ts';
import type { Reading } from '../../domain/reading.ts';
import { createInfluxHttp, type InfluxHttp } from '../../store/influxdb/influx-http.ts';
import { rowsOf } from '../../store/influxdb/influx-results.ts';
import { createInfluxStore } from '../../store/influxdb/influx-store.ts';
import type { ReadingsStream, TimeSeriesStore } from '../../store/time-series-store.ts';
import { emptyTestDatabase } from '../setup/influx-test-database.ts';

/**
 * Exports from InfluxDB read one chunked statement (TimeSeriesStore.streamReadings) instead of a
 * query per page, on a real InfluxDB 1.6. An export is pulled at the pace of its HTTP client, so the
 * statement must survive a reader slower than the store's timeout, and end in influxd when the
 * export is given up (client gone, deadline), as page queries did.
 */
const url = inject('influxUrl');
const database = `ucap_readings_stream_${process.pid}`;
const CITY = 'stream-city';
const START = Date.parse('2026-06-01T00:00:00Z');
/** 20 devices × 15,000 instants: ~17 MB of chunked JSON, more than loopback sockets buffer. */
const READINGS = 300_000;
const DEVICES = 20;

let store: TimeSeriesStore;
let admin: InfluxHttp;
const open: ReadingsStream[] = [];

function streamAll(): ReadingsStream {
  const stream = store.streamReadings?.({
    city: CITY,
    from: START,
    to: START + 365 * 86_400_000,
    offset: 0,
    limit: Number.POSITIVE_INFINITY,
  });
  if (stream === undefined) throw new Error('the InfluxDB store has no streamReadings');
  open.push(stream);
  return stream;
}

/** influxd's running statements that read this file's readings. */
async function runningExports(): Promise<string[]> {
  const [running] = (await admin.query('SHOW QUERIES', { database: false })).series;
  const rows = running === undefined ? [] : rowsOf(running);
  return rows.map((row) => String(row.query)).filter((q) => q.includes(`'${CITY}'`));
}

beforeAll(async () => {
  // A short timeout: a reader pausing longer than it must still get its readings.
  store = await createInfluxStore({ api: 'v1', url, database, timeoutMs: 500 });
  admin = createInfluxHttp({ api: 'v1', url, database });
  const readings: Reading[] = Array.from({ length: READINGS }, (_, i) => ({
    city: CITY,
    deviceId: `stream-dev-${String(i % DEVICES).padStart(2, '0')}`,
    metric: 'pm25',
    ts: START + Math.floor(i / DEVICES) * 60_000,
    value: i,
  }));
  for (let i = 0; i < readings.length; i += 50_000) await store.writeReadings(readings.slice(i, i + 50_000));
}, 120_000);

afterAll(async () => {
  for (const stream of open) stream.close();
  await store?.close();
  admin?.close();
  await emptyTestDatabase(url, database);
});

describe('InfluxDB 1.6: an export reads one chunked statement', () => {
  it('gives every reading, in order, to a reader that pauses longer than the store timeout between pages', async () => {
    const stream = streamAll();
    let count = 0;
    let last = -1;
    for (let page = await stream.next(); page.length > 0; page = await stream.next()) {
      if (count === 0) await sleep(1_500);
      for (const reading of page) {
        expect(reading.value).toBe(last + 1);
        last = reading.value;
      }
      count += page.length;
    }
    expect(count).toBe(READINGS);
  }, 60_000);

  it('ends the statement in influxd when the export is closed or its deadline passes', async () => {
    const closed = streamAll();
    expect((await closed.next()).length).toBeGreaterThan(0);
    // influxd is still writing the answer the reader has not taken.
    expect(await runningExports()).toHaveLength(1);
    closed.close();
    await vi.waitFor(async () => expect(await runningExports()).toEqual([]), {
      timeout: 5_000,
      interval: 100,
    });

    const deadline = streamAll();
    expect((await deadline.next()).length).toBeGreaterThan(0);
    expect(await runningExports()).toHaveLength(1);
    await expect(deadline.next(AbortSignal.abort(new Error('deadline')))).rejects.toMatchObject({
      code: 'STORE_QUERY_FAILED',
    });
    await vi.waitFor(async () => expect(await runningExports()).toEqual([]), {
      timeout: 5_000,
      interval: 100,
    });
  }, 60_000);

  /** What the readings route sends: the CSV lines of the whole city as a byte stream. */
  async function csvExportBody(): Promise<Readable> {
    const pages = await openExportPages({
      store,
      query: { city: CITY, to: START + 365 * 86_400_000 },
      start: { from: START, offset: 0 },
      limit: Number.POSITIVE_INFINITY,
      readPage: readWithoutDeadline,
    });
    return exportBody(pages, 'csv');
  }

  async function destroyedEndsTheStatement(body: Readable): Promise<void> {
    expect(await runningExports()).toHaveLength(1);
    body.destroy();
    await vi.waitFor(async () => expect(await runningExports()).toEqual([]), {
      timeout: 5_000,
      interval: 100,
    });
  }

  it('ends the statement when an export is given up before anything pulled its pages (a client gone at once)', async () => {
    await destroyedEndsTheStatement(await csvExportBody());
  }, 60_000);

  it('ends the statement when the HTTP body of an export is destroyed (the client went away)', async () => {
    const body = await csvExportBody();
    const [first] = (await once(body, 'data')) as [Buffer];
    expect(first.toString()).toMatch(/^ts,city,device,metric,value\n/);
    body.pause();
    await destroyedEndsTheStatement(body);
  }, 60_000);
});
