import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFixture, READINGS, startApiFixture } from './api-fixture.ts';

/** GET /v1/readings: raw readings paged as JSON, or streamed as NDJSON and CSV, over real HTTP. */
let fixture: ApiFixture;
let base: string;
const RANGE = 'from=2026-11-29T00:00:00Z&to=2026-11-30T00:00:00Z';

beforeAll(async () => {
  fixture = await startApiFixture();
  base = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await fixture?.close();
});

interface Page {
  readings: { ts: string; deviceId: string; metric: string; value: number; unit: string }[];
  nextCursor: string | null;
}

const niceOn29 = READINGS.filter((r) => r.city === 'nice' && r.ts >= Date.parse('2026-11-29T00:00:00Z'));

describe('GET /v1/readings', () => {
  it('pages through a day with cursors, each reading once, in time order', async () => {
    const seen: Page['readings'] = [];
    let cursor: string | null = '';
    for (let page = 0; page < 20 && cursor !== null; page += 1) {
      const response = await fetch(
        `${base}/v1/readings?city=nice&${RANGE}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(response.status).toBe(200);
      const body = (await response.json()) as Page;
      seen.push(...body.readings);
      cursor = body.nextCursor;
    }
    expect(seen).toHaveLength(niceOn29.length);
    expect(seen.map((r) => Date.parse(r.ts))).toEqual([...niceOn29.map((r) => r.ts)].sort((a, b) => a - b));
    expect(seen[0]).toMatchObject({ deviceId: 'nice-arson-01', metric: 'pm25', value: 10, unit: 'µg/m³' });
  });

  it('filters by metric list, device and bounding box of registered locations', async () => {
    const get = async (query: string) =>
      ((await (await fetch(`${base}/v1/readings?city=nice&${RANGE}&${query}`)).json()) as Page).readings;
    expect((await get('metric=no2')).map((r) => r.value)).toEqual([25.5]);
    expect((await get('device=nice-old-01')).map((r) => r.value)).toEqual([7]);
    // nice-arson-01 is registered at 7.286256,43.702075; nice-old-01 is not registered.
    const inBox = await get('bbox=7.2,43.65,7.35,43.75&metric=pm25');
    expect(new Set(inBox.map((r) => r.deviceId))).toEqual(new Set(['nice-arson-01']));
    expect(await get('bbox=0,0,1,1')).toEqual([]);
  });

  it('streams CSV that ucap import reads, and NDJSON', async () => {
    const csv = await fetch(`${base}/v1/readings?city=nice&${RANGE}&format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('ts,city,device,metric,value');
    expect(lines).toHaveLength(niceOn29.length + 1);
    expect(lines[1]).toBe('2026-11-29T08:00:00Z,nice,nice-arson-01,pm25,10');
    const ndjson = await fetch(`${base}/v1/readings?city=nice&${RANGE}&format=ndjson&metric=pm25&limit=2`);
    const rows = (await ndjson.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ ts: '2026-11-29T08:00:00Z', metric: 'pm25', value: 10 });
  });

  it('streams an export spanning many store pages, with ties at page edges, each reading once', async () => {
    const start = Date.parse('2026-11-20T00:00:00Z');
    const devices = ['zz-a', 'zz-b', 'zz-c'];
    // 3 devices at the same instants: 12,003 readings, so store pages (EXPORT_PAGE) end inside a tie.
    const many = Array.from({ length: 4001 }, (_, i) =>
      devices.map((deviceId) => ({
        ts: start + i * 10_000,
        city: 'zhengzhou',
        deviceId,
        metric: 'pm10' as const,
        value: i,
      })),
    ).flat();
    await fixture.store.writeReadings(many);
    const csv = await fetch(
      `${base}/v1/readings?city=zhengzhou&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z&format=csv`,
    );
    const lines = (await csv.text()).trim().split('\n').slice(1);
    expect(lines).toHaveLength(many.length);
    expect(new Set(lines).size).toBe(many.length);
    expect(lines[5000]).toBe('2026-11-20T04:37:40Z,zhengzhou,zz-c,pm10,1666');
  });

  it('refuses a forged cursor, a JSON page over the cap and a bad box, naming the parameter', async () => {
    for (const [query, parameter] of [
      ['cursor=bm9wZQ', 'cursor'],
      ['limit=50000', 'limit'],
      ['bbox=7,43,6,44', 'bbox'],
      ['metric=pm25,nope', 'metric'],
    ] as const) {
      const response = await fetch(`${base}/v1/readings?city=nice&${RANGE}&${query}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { details: { parameter: string }[] } };
      expect(body.error.details.map((d) => d.parameter)).toContain(parameter);
    }
  });
});
