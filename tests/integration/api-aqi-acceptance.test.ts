import { describe, expect, it } from 'vitest';
import type { Reading } from '../../domain/reading.ts';
import { STORES, serveReadings } from './api-air-quality-fixture.ts';

/**
 * Issue 10's acceptance check, through the real API on each real store: a Zhengzhou device that
 * reported PM2.5 35.4 µg/m³ every 5 minutes all of yesterday (Asia/Shanghai) gets an HJ 633-2026
 * daily index of 51 with PM2.5 as primary pollutant — (100 − 50)/(60 − 35) × (35.4 − 35) + 50 =
 * 50.8, rounded up to 51. Rounding PM to an integer before the lookup (which HJ 633-2026 does not
 * prescribe) would give 50 and no primary pollutant.
 */
// Noon on 2 December 2026 in Zhengzhou: yesterday is 1 December, 2026-11-30T16:00Z to 2026-12-01T16:00Z.
const NOW = Date.parse('2026-12-02T04:00:00Z');
const YESTERDAY_START = Date.parse('2026-11-30T16:00:00Z');
const FIVE_MINUTES = 300_000;

function yesterdaysReadings(): Reading[] {
  return Array.from({ length: 288 }, (_, k) => ({
    ts: YESTERDAY_START + k * FIVE_MINUTES,
    city: 'zhengzhou',
    deviceId: 'zz-pm-1',
    metric: 'pm25' as const,
    value: 35.4,
  }));
}

interface AqiBody {
  source: { stored: number; computed: { from: string; to: string }[] };
  points: {
    date: string;
    version: string;
    value: number | null;
    level: { name: string; nameZh?: string } | null;
    primaryPollutants: string[];
    incomplete: boolean;
  }[];
}

const VARIANTS = STORES.flatMap(([name, open]) => [
  [`${name}, computed from readings`, open, false] as const,
  [`${name}, read from the stored index series`, open, true] as const,
]);

describe.each(VARIANTS)('HJ 633 daily index of yesterday on %s', (_name, open, indexSeries) => {
  const { get } = serveReadings(open, yesterdaysReadings, NOW, { indexSeries });
  const YESTERDAY = 'from=2026-12-01T00:00:00%2B08:00&to=2026-12-02T00:00:00%2B08:00';

  it.each([
    ['the device', '&device=zz-pm-1'],
    ['the city', ''],
  ])('gives %s AQI 51 (良) with PM2.5 as primary pollutant', async (_what, device) => {
    const body = await get<AqiBody>(`/v1/aqi?city=zhengzhou${device}&standard=hj633&every=1d&${YESTERDAY}`);
    expect(
      body.points.map((p) => [
        p.date,
        p.version,
        p.value,
        p.level?.nameZh,
        p.primaryPollutants,
        p.incomplete,
      ]),
    ).toEqual([['2026-12-01', '2026', 51, '良', ['pm25'], false]]);
    // Yesterday ended 12 hours before the maintainer's flush: its stored daily index is complete.
    expect(body.source).toEqual(
      indexSeries
        ? { stored: 1, computed: [] }
        : { stored: 0, computed: [{ from: '2026-11-30T16:00:00Z', to: '2026-12-01T16:00:00Z' }] },
    );
  });

  it.each([
    ['en', 'Good'],
    ['fr', 'Bon'],
    ['zh', '良'],
  ])('names the level in the language asked for (lang=%s)', async (lang, name) => {
    const body = await get<AqiBody>(
      `/v1/aqi?city=zhengzhou&standard=hj633&every=1d&${YESTERDAY}&lang=${lang}`,
    );
    expect(body.points[0]?.level?.name).toBe(name);
  });
});
