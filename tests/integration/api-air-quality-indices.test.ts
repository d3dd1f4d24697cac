import { describe, expect, it } from 'vitest';
import { STORES, serveSyntheticWeek } from './api-air-quality-fixture.ts';
import { NICE_REPEATED_HOUR } from './api-air-quality-week.ts';

/**
 * GET /v1/aqi over real HTTP, on both stores, for the synthetic week of api-air-quality-week.ts.
 * Every expected index is worked out by hand from the published tables (EEA EAQI bands, HJ 633
 * Table 1, EPA-454/B-24-002 breakpoints); the arithmetic is in the comments.
 */
interface Level {
  number: number;
  name: string;
  nameZh?: string;
  colour: string;
}
interface SubIndex {
  measure: string;
  averaging: string;
  concentration: number;
  value: number | null;
  level: Level | null;
  counted: boolean;
}
interface Point {
  ts: string;
  localTime: string;
  date: string;
  standard: string;
  version: string;
  value: number | null;
  level: Level | null;
  primaryPollutants: string[];
  nonAttainmentPollutants?: string[];
  subIndices: SubIndex[];
}
interface AqiBody {
  device: string | null;
  devices: string[];
  from: string;
  to: string;
  points: Point[];
}

describe.each(STORES)('GET /v1/aqi on %s', (_name, open) => {
  const { get } = serveSyntheticWeek(open);
  const levels = (p: Point) => Object.fromEntries(p.subIndices.map((s) => [s.measure, s.level?.name]));
  const values = (p: Point) => Object.fromEntries(p.subIndices.map((s) => [s.measure, s.value]));
  const WEEK = 'from=2026-10-19T00:00:00%2B02:00&to=2026-10-26T00:00:00%2B01:00';

  describe('EAQI (2024 bands, hourly values) in Nice', () => {
    it('gives each local day of the week its worst-hour band per pollutant and overall', async () => {
      const body = await get<AqiBody>(`/v1/aqi?city=nice&standard=eaqi&every=1d&${WEEK}`);
      expect(body.devices).toEqual(['nice-a', 'nice-b']);
      expect(body.from).toBe('2026-10-18T22:00:00Z');
      expect(body.to).toBe('2026-10-25T23:00:00Z');
      // Upper bounds (value ≤ bound): PM2.5 5/15/50/90/140, PM10 15/45/120/195/270,
      // NO2 10/25/60/100/150, O3 60/100/120/160/180, SO2 20/40/125/190/275.
      expect(
        body.points.map((p) => [p.date, p.ts, p.version, p.value, p.level?.name, p.primaryPollutants]),
      ).toEqual([
        ['2026-10-19', '2026-10-18T22:00:00Z', '2024', 1, 'Good', ['pm25', 'pm10', 'no2', 'o3', 'so2']],
        ['2026-10-20', '2026-10-19T22:00:00Z', '2024', 2, 'Fair', ['pm25', 'pm10', 'no2']],
        ['2026-10-21', '2026-10-20T22:00:00Z', '2024', 3, 'Moderate', ['pm25']],
        ['2026-10-22', '2026-10-21T22:00:00Z', '2024', 4, 'Poor', ['pm25', 'no2']],
        ['2026-10-23', '2026-10-22T22:00:00Z', '2024', 6, 'Extremely poor', ['no2']],
        ['2026-10-24', '2026-10-23T22:00:00Z', '2024', 5, 'Very poor', ['pm25']],
        ['2026-10-25', '2026-10-24T22:00:00Z', '2024', 6, 'Extremely poor', ['so2']],
      ]);
      expect(body.points.map(levels)).toEqual([
        { pm25: 'Good', pm10: 'Good', no2: 'Good', o3: 'Good', so2: 'Good' }, // 4, 12, 8, 50, 10
        { pm25: 'Fair', pm10: 'Fair', no2: 'Fair', o3: 'Good', so2: 'Good' }, // PM2.5 15 is on the bound
        { pm25: 'Moderate', pm10: 'Fair', no2: 'Fair', o3: 'Good', so2: 'Good' },
        { pm25: 'Poor', pm10: 'Moderate', no2: 'Poor', o3: 'Good', so2: 'Good' }, // 60, 100, 70
        { pm25: 'Moderate', pm10: 'Poor', no2: 'Extremely poor', o3: 'Good', so2: 'Good' }, // 20, 130, 210
        { pm25: 'Very poor', pm10: 'Moderate', no2: 'Moderate', o3: 'Good', so2: 'Good' }, // 100, 60, 30
        // Sunday: Saturday's PM2.5 of 100 must not leak in; the worst PM10 hour is the repeated 02:00 (65).
        { pm25: 'Fair', pm10: 'Moderate', no2: 'Fair', o3: 'Good', so2: 'Extremely poor' },
      ]);
      const sunday = body.points[6];
      expect(sunday?.subIndices.find((s) => s.measure === 'pm10')).toMatchObject({
        averaging: '1h-daily-max',
        concentration: 65,
      });
      expect(sunday?.level).toEqual({ number: 6, name: 'Extremely poor', colour: '#7D2181' });
    });

    it('gives 25 hourly indices on the day the clocks go back, with the repeated hour told apart', async () => {
      const body = await get<AqiBody>(
        '/v1/aqi?city=nice&standard=eaqi&every=1h&from=2026-10-25T00:00:00%2B02:00&to=2026-10-26T00:00:00%2B01:00',
      );
      expect(body.points).toHaveLength(25);
      expect(new Set(body.points.map((p) => p.date))).toEqual(new Set(['2026-10-25']));
      expect(body.points.slice(0, 5).map((p) => p.localTime)).toEqual([
        '2026-10-25T00:00:00+02:00',
        '2026-10-25T01:00:00+02:00',
        '2026-10-25T02:00:00+02:00',
        '2026-10-25T02:00:00+01:00',
        '2026-10-25T03:00:00+01:00',
      ]);
      const pm10 = body.points.map((p) => p.subIndices.find((s) => s.measure === 'pm10')?.concentration);
      expect(pm10.filter((c) => c === 40)).toHaveLength(24);
      const repeated = body.points[3];
      expect(repeated?.ts).toBe(NICE_REPEATED_HOUR);
      expect(levels(repeated as Point).pm10).toBe('Moderate'); // 65 > 45
      expect(levels(body.points[2] as Point).pm10).toBe('Fair'); // 40 ≤ 45
      expect(body.points.every((p) => p.level?.name === 'Extremely poor')).toBe(true); // SO2 360 > 275
    });
  });

  describe('US EPA AQI (2024) in Nice', () => {
    // I = (I_hi − I_lo)/(C_hi − C_lo)·(C − C_lo) + I_lo on truncated concentrations, rounded.
    it('gives the daily AQI with the critical pollutant, for the city and for one device', async () => {
      const days = 'from=2026-10-21T00:00:00%2B02:00&to=2026-10-25T00:00:00%2B02:00';
      const body = await get<AqiBody>(`/v1/aqi?city=nice&standard=epa&every=1d&${days}`);
      expect(body.points.map((p) => [p.date, p.value, p.level?.name, p.primaryPollutants])).toEqual([
        // PM2.5 30.0 in 9.1–35.4 → 49/26.3·20.9 + 51 = 89.94 → 90
        ['2026-10-21', 90, 'Moderate', ['pm25']],
        // PM2.5 60.0 in 55.5–125.4 → 49/69.9·4.5 + 151 = 154.15 → 154
        ['2026-10-22', 154, 'Unhealthy', ['pm25']],
        // NO2 210 µg/m³ ÷ 1.88 = 111.7 → 111 ppb in 101–360 → 49/259·10 + 101 = 102.9 → 103
        ['2026-10-23', 103, 'Unhealthy for Sensitive Groups', ['no2_1h']],
        // PM2.5 100.0 → 49/69.9·44.5 + 151 = 182.19 → 182
        ['2026-10-24', 182, 'Unhealthy', ['pm25']],
      ]);
      // PM10 30 → 50/54·30 = 27.8 → 28; O3 50 µg/m³ ÷ 1.96 = 25.5 ppb → 0.025 ppm → 50/0.054·0.025 = 23.1
      // → 23; NO2 20 ÷ 1.88 = 10.6 → 10 ppb → 9.4 → 9; SO2 10 ÷ 2.62 = 3.8 → 3 ppb → 4.3 → 4.
      expect(values(body.points[0] as Point)).toMatchObject({
        pm25: 90,
        pm10: 28,
        o3_8h: 23,
        no2_1h: 9,
        so2_1h: 4,
      });
      expect(body.points[0]?.subIndices.find((s) => s.measure === 'o3_1h')).toMatchObject({
        value: null, // below 0.125 ppm the 1-hour table is blank
        counted: false,
      });
      const one = await get<AqiBody>(`/v1/aqi?city=nice&device=nice-a&standard=epa&every=1d&${days}`);
      expect(one.device).toBe('nice-a');
      expect(one.devices).toEqual(['nice-a']);
      // nice-a reads PM2.5 28.0 → 49/26.3·18.9 + 51 = 86.2 → 86
      expect(one.points[0]).toMatchObject({ date: '2026-10-21', value: 86 });
    });
  });

  describe('China AQI (HJ 633) in Zhengzhou', () => {
    // IAQI = ceil((I_hi − I_lo)/(BP_hi − BP_lo)·(C − BP_lo) + I_lo); HJ 633-2026 PM2.5 nodes
    // 0/35/60/115/150/250/350/500, PM10 0/50/120/250/350/…, NO2 24h 0/40/80/180/280, O3 8h 0/100/160,
    // O3 1h 0/160/200, CO 24h 0/2/4, SO2 24h 0/50/150.
    it('gives the daily AQI, level in Chinese and English and primary pollutants for each local day', async () => {
      const body = await get<AqiBody>(
        '/v1/aqi?city=zhengzhou&standard=hj633&every=1d&from=2026-10-19T00:00:00%2B08:00&to=2026-10-26T00:00:00%2B08:00',
      );
      expect(body.devices).toEqual(['zz-a']);
      expect(
        body.points.map((p) => [p.date, p.ts, p.version, p.value, p.level?.nameZh, p.primaryPollutants]),
      ).toEqual([
        // PM10 40 → 40 and O3 8-h 80 → 40 tie, but AQI ≤ 50 names no primary pollutant
        ['2026-10-19', '2026-10-18T16:00:00Z', '2026', 40, '优', []],
        ['2026-10-20', '2026-10-19T16:00:00Z', '2026', 74, '良', ['pm25']], // 50 + 50/25·12 = 74
        ['2026-10-21', '2026-10-20T16:00:00Z', '2026', 119, '轻度污染', ['pm25']], // 100 + 50/55·20 = 118.2 → 119
        ['2026-10-22', '2026-10-21T16:00:00Z', '2026', 100, '良', ['pm10', 'pm25']], // 120 and 60 are nodes: tie
        ['2026-10-23', '2026-10-22T16:00:00Z', '2026', 172, '中度污染', ['pm25']], // 150 + 50/35·15 = 171.4 → 172
        ['2026-10-24', '2026-10-23T16:00:00Z', '2026', 250, '重度污染', ['pm25']], // 200 + 100/100·50
        ['2026-10-25', '2026-10-24T16:00:00Z', '2026', 350, '严重污染', ['pm25']], // 300 + 100/100·50
      ]);
      expect(values(body.points[0] as Point)).toEqual({
        so2_24h: 10, // 50/50·10
        no2_24h: 38, // 50/40·30 = 37.5 → 38
        pm10: 40,
        co_24h: 25, // 50/2·1
        // no o3_1h: HJ 633-2026's daily report takes O3 as the daily maximum 8-hour mean only
        o3_8h: 40, // 50/100·80
        pm25: 29, // 50/35·20 = 28.6 → 29
      });
      expect(values(body.points[4] as Point)).toMatchObject({ pm10: 131, no2_24h: 110 }); // 100 + 50/130·80; 100 + 50/100·20
      expect(body.points[2]?.level).toEqual({
        number: 3,
        name: 'Lightly polluted',
        nameZh: '轻度污染',
        colour: '#FF7E00',
        colourNameZh: '橙色',
      });
    });

    it('uses HJ 633-2012 when asked, with its wider PM bands and non-attainment pollutants', async () => {
      const body = await get<AqiBody>(
        '/v1/aqi?city=zhengzhou&standard=hj633&version=2012&every=1d&from=2026-10-21T00:00:00%2B08:00&to=2026-10-22T00:00:00%2B08:00',
      );
      // PM2.5 80 in 75–115 → 100 + 50/40·5 = 106.25 → 107; PM10 120 in 50–150 → 50 + 50/100·70 = 85.
      expect(body.points).toHaveLength(1);
      expect(body.points[0]).toMatchObject({
        version: '2012',
        value: 107,
        primaryPollutants: ['pm25'],
        nonAttainmentPollutants: ['pm25'],
      });
      expect(values(body.points[0] as Point)).toMatchObject({ pm25: 107, pm10: 85 });
    });

    it('gives the real-time (hourly) AQI on 1-hour values, SO2 24-hour only as a fallback', async () => {
      const body = await get<AqiBody>(
        '/v1/aqi?city=zhengzhou&standard=hj633&every=1h&from=2026-10-21T12:00:00%2B08:00&to=2026-10-21T13:00:00%2B08:00',
      );
      expect(body.points).toHaveLength(1);
      const point = body.points[0] as Point;
      expect(point).toMatchObject({
        localTime: '2026-10-21T12:00:00+08:00',
        value: 119,
        primaryPollutants: ['pm25'],
      });
      // SO2 1h 50/150·10 = 3.3 → 4; NO2 1h 50/100·60 = 30; CO 1h 50/5·1 = 10.
      expect(values(point)).toMatchObject({
        so2_1h: 4,
        no2_1h: 30,
        co_1h: 10,
        pm10: 100,
        o3_8h: 40,
        pm25: 119,
      });
      expect(point.subIndices.find((s) => s.measure === 'so2_24h')).toMatchObject({ counted: false });
      expect(point.subIndices.find((s) => s.measure === 'o3_8h')?.averaging).toBe('8h-running');
    });
  });
});
