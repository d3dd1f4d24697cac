import { describe, expect, it } from 'vitest';
import { STORES, serveSyntheticWeek } from './api-air-quality-fixture.ts';

/**
 * GET /v1/exceedances over real HTTP, on both stores, for the synthetic week of
 * api-air-quality-week.ts. Every count, mean and percentile is worked out by hand from the
 * published limit values (Directive 2008/50/EC Annex XI, WHO AQG 2021 Table 0.1, GB 3095 Table 1); the arithmetic is in the comments.
 */
interface LimitRow {
  id: string;
  status: string;
  exceedances: number | null;
  exceedanceUnit: string | null;
  allowed: number | null;
  statistic: number | null;
  complies: boolean | null;
  samples: number | null;
  coverage: { valid: boolean; have: number; need: number; of: number; unit: string } | null;
}
interface ExceedanceBody {
  year: number;
  grade: string | null;
  phase: string | null;
  period: { from: string; to: string; start: string; end: string };
  devices: string[];
  limits: LimitRow[];
}

describe.each(STORES)('GET /v1/exceedances on %s', (_name, open) => {
  const { get } = serveSyntheticWeek(open);
  const limit = (body: ExceedanceBody, id: string) => body.limits.find((l) => l.id === id);

  describe('exceedances over the local calendar year', () => {
    it('EU 2008/50/EC in Nice: days and hours above each limit, allowed counts and coverage', async () => {
      const body = await get<ExceedanceBody>('/v1/exceedances?city=nice&standard=eu2008&year=2026');
      expect([body.devices, body.grade, body.phase]).toEqual([['nice-a', 'nice-b'], null, null]);
      expect(body.period).toEqual({
        from: '2026-01-01',
        to: '2027-01-01',
        start: '2025-12-31T23:00:00Z',
        end: '2026-12-31T23:00:00Z',
        startLocal: '2026-01-01T00:00:00+01:00',
      });
      // PM10 daily means 12, 30, 30, 100, 130, 60, 41 (Sunday: (24·40 + 65)/25): 3 above 50, 35 allowed.
      expect(limit(body, 'pm10-24h')).toMatchObject({
        status: 'assessed',
        exceedances: 3,
        exceedanceUnit: 'days',
        allowed: 35,
        complies: true,
        samples: 7,
        coverage: { valid: false, have: 7, need: 329, of: 365, unit: 'days' }, // 90 % of 365
      });
      // NO2 210 all Friday: 24 hours above 200, 18 allowed.
      expect(limit(body, 'no2-1h')).toMatchObject({
        exceedances: 24,
        allowed: 18,
        complies: false,
        samples: 169,
      });
      // SO2 360 for all 25 hours of the DST Sunday: 25 > 24 allowed (a 24-hour Sunday would comply).
      expect(limit(body, 'so2-1h')).toMatchObject({
        exceedances: 25,
        exceedanceUnit: 'hours',
        allowed: 24,
        complies: false,
        coverage: { valid: false, have: 169, need: 7884, of: 8760, unit: 'hours' },
      });
      expect(limit(body, 'so2-24h')).toMatchObject({ exceedances: 1, allowed: 3, complies: true });
      // Mean of the 169 hourly PM2.5 values: (24·(4+15+30+60+20+100) + 25·10)/169 = 5746/169 = 34.
      expect(limit(body, 'pm25-annual')?.statistic).toBeCloseTo(34, 9);
      expect(limit(body, 'pm25-annual')?.complies).toBe(false);
      expect(limit(body, 'o3-8h-daily-max')).toMatchObject({
        exceedances: 0,
        complies: true,
        coverage: { valid: false, have: 0, need: 5, of: 6, unit: 'months' },
      });
      expect(limit(body, 'co-8h-daily-max')).toMatchObject({ status: 'no-data', complies: null });
    });

    it('WHO 2021 in Nice: the guideline by default, an interim target when asked', async () => {
      // PM2.5 daily 4, 15, 30, 60, 20, 100, 10: above 15 on 4 days (15 itself is not above);
      // 99th percentile: k = 1 + 6·0.99 = 6.94 → 60 + 0.94·(100 − 60) = 97.6.
      const aqg = await get<ExceedanceBody>('/v1/exceedances?city=nice&standard=who2021&year=2026');
      expect(aqg.grade).toBe('aqg');
      expect(limit(aqg, 'pm25-24h')).toMatchObject({ exceedances: 4, complies: false });
      expect(limit(aqg, 'pm25-24h')?.statistic).toBeCloseTo(97.6, 9);
      const it1 = await get<ExceedanceBody>('/v1/exceedances?city=nice&standard=who2021&grade=it1&year=2026');
      expect(limit(it1, 'pm25-24h')).toMatchObject({ exceedances: 1 }); // only 100 > 75
      // nice-b alone reads PM2.5 2 higher: Tuesday's 17 is above 15 too.
      const one = await get<ExceedanceBody>(
        '/v1/exceedances?city=nice&device=nice-b&standard=who2021&year=2026',
      );
      expect(one.devices).toEqual(['nice-b']);
      expect(limit(one, 'pm25-24h')).toMatchObject({ exceedances: 5 });
    });

    it('GB 3095 in Zhengzhou: percentiles, grades and the 2026 transition phase', async () => {
      const ii = await get<ExceedanceBody>('/v1/exceedances?city=zhengzhou&standard=gb3095-2026&year=2026');
      expect([ii.grade, ii.phase, ii.period.start]).toEqual(['II', 'transition', '2025-12-31T16:00:00Z']);
      // PM2.5 daily sorted 20, 47, 60, 80, 130, 200, 300: 4 above 60; 95th: k = 6.7 → 200 + 0.7·100 = 270.
      expect(limit(ii, 'pm25-24h')).toMatchObject({
        exceedances: 4,
        complies: false,
        coverage: { valid: false, have: 7, need: 324, of: 365, unit: 'days' },
      });
      expect(limit(ii, 'pm25-24h')?.statistic).toBeCloseTo(270, 9);
      // PM10 sorted 40, 80, 100, 120, 120, 200, 300: 2 above 120. NO2 sorted 30, 40, 50, 50, 60, 100, 150:
      // 2 above 80; 98th: k = 6.88 → 100 + 0.88·50 = 144.
      expect(limit(ii, 'pm10-24h')).toMatchObject({ exceedances: 2 });
      expect(limit(ii, 'no2-24h')).toMatchObject({ exceedances: 2 });
      expect(limit(ii, 'no2-24h')?.statistic).toBeCloseTo(144, 9);
      expect(limit(ii, 'no2-1h')).toMatchObject({ exceedances: 0, complies: true });
      const gradeI = await get<ExceedanceBody>(
        '/v1/exceedances?city=zhengzhou&standard=gb3095-2026&grade=I&year=2026',
      );
      expect(limit(gradeI, 'pm25-24h')).toMatchObject({ exceedances: 6 }); // all but 20 are above 35
      const old = await get<ExceedanceBody>('/v1/exceedances?city=zhengzhou&standard=gb3095-2012&year=2026');
      expect(limit(old, 'pm25-24h')).toMatchObject({ exceedances: 4 }); // 80, 130, 200, 300 > 75
      expect(limit(old, 'pm10-24h')).toMatchObject({ exceedances: 2 }); // 200, 300 > 150
    });

    it("defaults to the current year of the city's own calendar", async () => {
      const nice = await get<ExceedanceBody>('/v1/exceedances?city=nice&standard=eu2008');
      const zz = await get<ExceedanceBody>('/v1/exceedances?city=zhengzhou&standard=gb3095-2026');
      expect(nice.year).toBe(2026);
      expect(zz.year).toBe(2027); // 04:00 on 1 January in Beijing time
      expect(zz.phase).toBe('transition');
      expect(zz.limits.every((l) => l.status === 'no-data' || l.status === 'not-assessable')).toBe(true);
    });
  });
});
