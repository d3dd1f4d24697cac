import { afterAll, describe, expect, it } from 'vitest';
import { openDeviceRegistry } from '../../devices/device-registry.ts';
import type { Reading } from '../../domain/reading.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';
import { STORES, serveReadings } from './api-air-quality-fixture.ts';
import { type ApiFixture, startApiFixture } from './api-fixture.ts';

/**
 * /v1/series percentiles and coverage over real HTTP on both stores. One Nice device reports every
 * 5 minutes through the local day of 28 Nov 2026 (CET: 23:00 UTC on the 27th to 23:00 on the 28th):
 * hours 0-16 whole (12 readings), hour 17 with 9 (75 %: valid), hour 18 with 8 (not valid), then
 * nothing. That is 18 valid hours: a valid day by the EU rule (18), not by China's (20).
 */
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY_START = Date.parse('2026-11-27T23:00:00Z');
const NOW = Date.parse('2026-11-29T12:00:00Z');
const PER_HOUR = [...Array.from({ length: 17 }, () => 12), 9, 8];
const FROM = encodeURIComponent('2026-11-28T00:00:00+01:00');
const TO = encodeURIComponent('2026-11-29T00:00:00+01:00');
const RANGE = `from=${FROM}&to=${TO}`;

function dayOfReadings(): Reading[] {
  const readings: Reading[] = PER_HOUR.flatMap((n, hour) =>
    Array.from({ length: n }, (_, i) => {
      const k = hour * 12 + i;
      // Values in no order, repeating, with decimals: the ranks are not the arrival order.
      return {
        city: 'nice',
        deviceId: 'nice-a',
        metric: 'pm25' as const,
        ts: DAY_START + hour * HOUR + i * 5 * MINUTE,
        value: ((k * 37) % 101) + 0.25,
      };
    }),
  );
  // A device with one reading: no spacing to measure, so the default interval applies.
  readings.push({ city: 'nice', deviceId: 'nice-b', metric: 'pm25', ts: DAY_START + 3 * HOUR, value: 9 });
  readings.push({ city: 'zhengzhou', deviceId: 'zz-a', metric: 'pm25', ts: DAY_START, value: 50 });
  // Every 10 minutes for two hours, four days before: outside the last days' spacing sample.
  for (let i = 0; i <= 12; i += 1) {
    readings.push({
      city: 'nice',
      deviceId: 'nice-c',
      metric: 'pm25',
      ts: DAY_START - 4 * 24 * HOUR + i * 10 * MINUTE,
      value: i,
    });
  }
  return readings;
}

/** The documented definition, from the readings themselves: rank ⌊n·p/100 + 0.5⌋ of the sorted values. */
function nearestRank(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length * p) / 100 + 0.5) - 1] ?? Number.NaN;
}

interface Point {
  ts: string;
  value: number;
  count?: number;
  coverage?: number;
  valid?: boolean;
  validHours?: number;
}
interface SeriesBody {
  agg: string;
  unit: string;
  validity?: { rules: string; standard: string; criterion: string };
  series: { deviceId: string; expectedInterval?: { ms: number; source: string }; points: Point[] }[];
}

describe.each(STORES)('GET /v1/series statistics on %s', (_name, open) => {
  const api = serveReadings(open, dayOfReadings, NOW);
  const deviceA = dayOfReadings().filter((r) => r.deviceId === 'nice-a');

  it.each(['p50', 'p90', 'p95', 'p98'] as const)(
    'agg=%s gives the nearest-rank value of each hour and of the day',
    async (agg) => {
      const p = Number(agg.slice(1));
      const hourly = await api.get<SeriesBody>(
        `/v1/series?city=nice&metric=pm25&device=nice-a&every=1h&agg=${agg}&${RANGE}`,
      );
      expect(hourly.unit).toBe('µg/m³');
      expect(hourly.series[0]?.points.map((pt) => pt.value)).toEqual(
        PER_HOUR.map((_, hour) =>
          nearestRank(
            deviceA.filter((r) => Math.floor((r.ts - DAY_START) / HOUR) === hour).map((r) => r.value),
            p,
          ),
        ),
      );
      const daily = await api.get<SeriesBody>(
        `/v1/series?city=nice&metric=pm25&device=nice-a&every=1d&agg=${agg}&${RANGE}`,
      );
      expect(daily.series[0]?.points.map((pt) => pt.value)).toEqual([
        nearestRank(
          deviceA.map((r) => r.value),
          p,
        ),
      ]);
    },
  );

  it('include=coverage: count, coverage and the one-hour rule per hourly point', async () => {
    const body = await api.get<SeriesBody>(
      `/v1/series?city=nice&metric=pm25&every=1h&include=coverage&${RANGE}`,
    );
    expect(body.validity).toMatchObject({
      rules: 'eu',
      standard: expect.stringContaining('Directive 2008/50/EC'),
    });
    const [a, b] = body.series;
    expect(a?.expectedInterval).toEqual({ ms: 5 * MINUTE, source: 'median-spacing' });
    expect(a?.points.slice(16).map(({ count, coverage, valid }) => ({ count, coverage, valid }))).toEqual([
      { count: 12, coverage: 1, valid: true },
      { count: 9, coverage: 0.75, valid: true },
      { count: 8, coverage: 0.6667, valid: false },
    ]);
    // One reading: the default interval (1 minute), one of 60 expected.
    expect(b?.expectedInterval).toEqual({ ms: 60_000, source: 'default' });
    expect(b?.points).toMatchObject([{ count: 1, coverage: 0.0167, valid: false }]);
  });

  it('judges a day by its valid hours: 18 pass the EU rule, not the Chinese 20', async () => {
    const path = `/v1/series?city=nice&metric=pm25&device=nice-a&every=1d&agg=mean&${RANGE}`;
    const eu = await api.get<SeriesBody>(`${path}&include=coverage`);
    expect(eu.series[0]?.points).toMatchObject([
      { count: 221, coverage: 0.7674, validHours: 18, valid: true },
    ]);
    const china = await api.get<SeriesBody>(`${path}&validity=china`);
    expect(china.validity).toMatchObject({
      rules: 'china',
      standard: expect.stringContaining('GB 3095-2012 Table 4'),
    });
    expect(china.validity?.criterion).toMatch(/≥ 20 valid hourly values/);
    expect(china.series[0]?.points).toMatchObject([{ validHours: 18, valid: false }]);
  });

  it('judges 6-hour buckets by 6 of every 8 hourly values, and counts for percentiles too', async () => {
    const body = await api.get<SeriesBody>(
      `/v1/series?city=nice&metric=pm25&device=nice-a&every=6h&agg=p95&include=coverage&${RANGE}`,
    );
    expect(body.series[0]?.points.map(({ count, validHours, valid }) => [count, validHours, valid])).toEqual([
      [72, 6, true],
      [72, 6, true],
      [69, 6, true], // 12:00-18:00: five whole hours and 17:00 with 9 readings
      [8, 0, false],
    ]);
  });

  it('measures the interval over the last days of a long range, and over all of it for a device silent then', async () => {
    const body = await api.get<SeriesBody>(
      `/v1/series?city=nice&metric=pm25&every=1d&include=coverage&from=2026-11-20T00:00:00Z&to=2026-11-29T00:00:00Z`,
    );
    expect(body.series.map((s) => [s.deviceId, s.expectedInterval])).toEqual([
      ['nice-a', { ms: 5 * MINUTE, source: 'median-spacing' }],
      ['nice-b', { ms: 60_000, source: 'default' }],
      ['nice-c', { ms: 10 * MINUTE, source: 'median-spacing' }],
    ]);
  });

  it("defaults to China's rules for a city in China", async () => {
    const body = await api.get<SeriesBody>(
      `/v1/series?city=zhengzhou&metric=pm25&every=1h&include=coverage&${RANGE}`,
    );
    expect(body.validity?.rules).toBe('china');
  });

  it('leaves the points as they were without include=coverage', async () => {
    const body = await api.get<SeriesBody>(
      `/v1/series?city=nice&metric=pm25&device=nice-a&every=1d&${RANGE}`,
    );
    expect(body.validity).toBeUndefined();
    expect(body.series[0]).toEqual({
      deviceId: 'nice-a',
      points: [expect.not.objectContaining({ count: expect.anything() })],
    });
  });
});

describe('GET /v1/series statistics: bad parameters and heavy-route limits', () => {
  let fixture: ApiFixture | undefined;
  afterAll(async () => {
    await fixture?.close();
  });

  async function badRequest(base: string, query: string) {
    const response = await fetch(`${base}/v1/series?city=nice&metric=pm25&${query}`);
    const body = (await response.json()) as { error: { code: string; details?: { parameter: string }[] } };
    return { status: response.status, parameters: body.error.details?.map((d) => d.parameter) };
  }

  it('answers 400 naming the parameter', async () => {
    fixture = await startApiFixture();
    const base = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
    expect(await badRequest(base, 'agg=p99')).toEqual({ status: 400, parameters: ['agg'] });
    expect(await badRequest(base, 'include=everything')).toEqual({ status: 400, parameters: ['include'] });
    expect(await badRequest(base, 'validity=us')).toEqual({ status: 400, parameters: ['validity'] });
    // Daily coverage is judged from hourly values: at most 10,000 hours (here two years).
    expect(
      await badRequest(base, 'every=1d&include=coverage&from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z'),
    ).toEqual({ status: 400, parameters: ['include'] });
    await fixture.close();
    fixture = undefined;
  });

  it("measures coverage against the interval a device's registry entry declares", async () => {
    fixture = await startApiFixture();
    // nice-arson-01 has 3 readings 08:00-09:00 UTC 20 minutes apart; it declares 10 minutes.
    await openDeviceRegistry(fixture.registryFile).add({
      id: 'nice-declared-01',
      city: 'nice',
      meta: { reportingInterval: '10m' },
    });
    await fixture.store.writeReadings(
      [0, 10, 20].map((m) => ({
        city: 'nice',
        deviceId: 'nice-declared-01',
        metric: 'pm25' as const,
        ts: Date.parse('2026-11-29T08:00:00Z') + m * MINUTE,
        value: m,
      })),
    );
    const base = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
    const response = await fetch(
      `${base}/v1/series?city=nice&metric=pm25&include=coverage&from=2026-11-29T08:00:00Z&to=2026-11-29T09:00:00Z`,
    );
    const body = (await response.json()) as SeriesBody;
    expect(
      body.series.map((s) => [s.deviceId, s.expectedInterval, s.points[0]?.coverage, s.points[0]?.valid]),
    ).toEqual([
      ['nice-arson-01', { ms: 20 * MINUTE, source: 'median-spacing' }, 1, true],
      ['nice-declared-01', { ms: 10 * MINUTE, source: 'registry' }, 0.5, false],
      ['nice-old-01', { ms: 60_000, source: 'default' }, 0.0167, false],
    ]);
    await fixture.close();
    fixture = undefined;
  });

  it('cancels the coverage reads at the request deadline (503 API_DEADLINE)', async () => {
    const aborted: boolean[] = [];
    const holdSpacing = (store: TimeSeriesStore): TimeSeriesStore => ({
      ...store,
      kind: store.kind,
      series: (q) => store.series(q),
      readingSpacing: (q) =>
        new Promise((_, reject) => {
          q.signal?.addEventListener('abort', () => {
            aborted.push(true);
            reject(q.signal?.reason);
          });
        }),
    });
    fixture = await startApiFixture({ limits: { requestDeadlineMs: 300 } }, holdSpacing);
    const base = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
    const answer = await fetch(
      `${base}/v1/series?city=nice&metric=pm25&include=coverage&from=2026-11-29T08:00:00Z&to=2026-11-29T10:00:00Z`,
    );
    expect(answer.status).toBe(503);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('API_DEADLINE');
    expect(aborted).toEqual([true]);
  });
});
