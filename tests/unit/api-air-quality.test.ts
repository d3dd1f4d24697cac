import { describe, expect, it } from 'vitest';
import { ApiRequestError } from '../../api/api-request-error.ts';
import { toWireIndexPoint } from '../../api/aqi-points.ts';
import { resolveIndexRange } from '../../api/routes/aqi.ts';
import { toWireLimit } from '../../api/routes/exceedances.ts';
import { toWireStandard } from '../../api/routes/standards.ts';
import {
  EAQI_TABLES,
  type EaqiResult,
  EPA_CATEGORIES,
  type EpaResult,
  HJ633_LEVELS,
  type Hj633Result,
  type LimitAssessment,
  STANDARDS,
} from '../../domain/air-quality/index.ts';
import { localYear, startOfLocalHour, wholeLocalDays } from '../../domain/air-quality/local-calendar.ts';
import { meanAcrossDevices } from '../../store/city-mean.ts';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

describe('hourly series for the air-quality module', () => {
  it('averages devices hour by hour, each device weighing the same, oldest hour first', () => {
    const merged = meanAcrossDevices([
      {
        deviceId: 'a',
        points: [
          { ts: 2 * HOUR, value: 10 },
          { ts: 3 * HOUR, value: 30 },
        ],
      },
      {
        deviceId: 'b',
        points: [
          { ts: HOUR, value: 7 },
          { ts: 2 * HOUR, value: 20 },
        ],
      },
    ]);
    expect(merged).toEqual([
      { ts: HOUR, value: 7 },
      { ts: 2 * HOUR, value: 15 },
      { ts: 3 * HOUR, value: 30 },
    ]);
  });

  it.each([
    ['2026-10-25T01:40:00Z', 'Europe/Paris', '2026-10-25T01:00:00Z'], // the repeated 02:00 (CET)
    ['2026-10-25T00:59:59Z', 'Europe/Paris', '2026-10-25T00:00:00Z'], // the first 02:00 (CEST)
    ['2026-11-29T08:00:00Z', 'Asia/Shanghai', '2026-11-29T08:00:00Z'],
    // Hours of a +05:30 zone start at half past in UTC, as the store's buckets do.
    ['2026-01-15T12:10:00Z', 'Asia/Kolkata', '2026-01-15T11:30:00Z'],
  ])('the hour holding %s in %s starts at %s', (ts, zone, start) => {
    expect(startOfLocalHour(at(ts), zone)).toBe(at(start));
  });

  it('widens a range to whole local days, 25 hours on the day Nice turns its clocks back', () => {
    const days = wholeLocalDays(at('2026-10-25T12:00:00Z'), at('2026-10-25T13:00:00Z'), 'Europe/Paris');
    expect(days).toEqual({ from: at('2026-10-24T22:00:00Z'), to: at('2026-10-25T23:00:00Z') });
    // A range ending exactly at local midnight does not touch the next day.
    const two = wholeLocalDays(at('2026-10-18T22:00:00Z'), at('2026-10-20T22:00:00Z'), 'Europe/Paris');
    expect(two.to - two.from).toBe(48 * HOUR);
  });

  it('takes the year on the local calendar', () => {
    expect(localYear(2027, 'Asia/Shanghai')).toEqual({
      from: at('2026-12-31T16:00:00Z'),
      to: at('2027-12-31T16:00:00Z'),
    });
  });
});

describe('the /v1/aqi range', () => {
  const NOW = at('2026-11-29T10:25:00Z');

  it('defaults to the last 24 hours (1h) or 7 days (1d), aligned to hours or local midnights', () => {
    expect(resolveIndexRange({ every: '1h' }, NOW, 'Europe/Paris')).toEqual({
      from: at('2026-11-28T10:00:00Z'),
      to: NOW,
    });
    expect(resolveIndexRange({ every: '1d' }, NOW, 'Europe/Paris')).toEqual({
      from: at('2026-11-21T23:00:00Z'), // 22 Nov 00:00 CET
      to: at('2026-11-29T23:00:00Z'), // 30 Nov 00:00 CET
    });
  });

  it('refuses an empty range and ranges beyond the cap, naming from', () => {
    const refused = (query: Parameters<typeof resolveIndexRange>[0]) => {
      try {
        resolveIndexRange(query, NOW, 'UTC');
      } catch (error) {
        if (error instanceof ApiRequestError) return error.details[0];
      }
      return undefined;
    };
    expect(refused({ every: '1h', from: NOW, to: NOW })?.parameter).toBe('from');
    expect(refused({ every: '1h', from: NOW - 31 * 24 * HOUR, to: NOW })).toBeUndefined();
    expect(refused({ every: '1h', from: NOW - 31 * 24 * HOUR - 1, to: NOW })?.problem).toMatch(
      /at most 31 days/,
    );
    expect(refused({ every: '1d', from: NOW - 367 * 24 * HOUR, to: NOW })?.problem).toMatch(
      /at most 366 days/,
    );
  });
});

describe('index points on the wire', () => {
  const ts = at('2026-10-24T22:00:00Z');
  const point = (result: EaqiResult | Hj633Result | EpaResult) => ({ ts, date: '2026-10-25', result });

  it('EAQI: the level number is the value; daily sub-indices are the worst hour', () => {
    const [good, , , poor] = EAQI_TABLES['2024'].levels;
    if (!good || !poor) throw new Error('table');
    const wire = toWireIndexPoint(
      point({
        standard: 'eaqi',
        version: '2024',
        overall: poor,
        dominantPollutants: ['no2'],
        subIndices: [
          { pollutant: 'pm25', concentration: 4, averaging: '1h', level: good },
          { pollutant: 'no2', concentration: 70, averaging: '1h', level: poor },
        ],
      }),
      '1d',
      'Europe/Paris',
    );
    expect(wire).toMatchObject({
      ts: '2026-10-24T22:00:00Z',
      localTime: '2026-10-25T00:00:00+02:00',
      date: '2026-10-25',
      value: 4,
      level: { number: 4, name: 'Poor', colour: '#FF5050' },
      primaryPollutants: ['no2'],
    });
    expect(wire.subIndices[1]).toMatchObject({
      measure: 'no2',
      averaging: '1h-daily-max',
      value: 4,
      unit: 'µg/m³',
    });
    expect(wire).not.toHaveProperty('report');
  });

  it('HJ 633: Chinese names and colours, CO in mg/m³, averaging by report', () => {
    const level = HJ633_LEVELS[2];
    if (!level) throw new Error('table');
    const result: Hj633Result = {
      standard: 'hj633',
      version: '2026',
      report: 'daily',
      aqi: 119,
      level,
      primaryPollutants: ['pm25'],
      nonAttainmentPollutants: [],
      subIndices: [
        { measure: 'co_24h', pollutant: 'co', concentration: 1, iaqi: 25, counted: true },
        { measure: 'o3_8h', pollutant: 'o3', concentration: 80, iaqi: 40, counted: true },
        { measure: 'pm25', pollutant: 'pm25', concentration: 80, iaqi: 119, counted: true },
        {
          measure: 'so2_1h',
          pollutant: 'so2',
          concentration: 900,
          iaqi: 200,
          counted: true,
          rule: 'above-table-fixed',
        },
      ],
      incomplete: false,
      notComputed: [],
    };
    const daily = toWireIndexPoint(point(result), '1d', 'Asia/Shanghai');
    expect(daily.level).toEqual({
      number: 3,
      name: 'Lightly polluted',
      nameZh: '轻度污染',
      colour: '#FF7E00',
      colourNameZh: '橙色',
    });
    expect(daily.report).toBe('daily');
    expect(daily.subIndices.map((s) => [s.measure, s.averaging, s.unit, s.level?.number])).toEqual([
      ['co_24h', '24h', 'mg/m³', 1],
      ['o3_8h', '8h-daily-max', 'µg/m³', 1],
      ['pm25', '24h', 'µg/m³', 3],
      ['so2_1h', '1h-daily-max', 'µg/m³', 4],
    ]);
    expect(daily.subIndices[3]?.rule).toBe('above-table-fixed');
    const hourly = toWireIndexPoint(point(result), '1h', 'Asia/Shanghai');
    expect(hourly.subIndices.map((s) => s.averaging)).toEqual(['24h-running', '8h-running', '1h', '1h']);
  });

  it('EPA: category number and colour, NowCast PM hourly, blank sub-indices as null', () => {
    const category = EPA_CATEGORIES[4];
    if (!category) throw new Error('table');
    const result: EpaResult = {
      standard: 'epa',
      version: '2024',
      aqi: 210,
      category,
      dominantPollutants: ['pm25'],
      subIndices: [
        { measure: 'pm25', pollutant: 'pm25', concentration: 130, unit: 'µg/m³', aqi: 210, counted: true },
        {
          measure: 'o3_1h',
          pollutant: 'o3',
          concentration: 0.02,
          unit: 'ppm',
          aqi: null,
          counted: false,
          rule: 'o3-1h-below-table',
        },
      ],
      incomplete: false,
      notComputed: [],
    };
    const hourly = toWireIndexPoint(point(result), '1h', 'America/New_York');
    expect(hourly.level).toEqual({ number: 5, name: 'Very Unhealthy', colour: '#8F3F97' });
    expect(hourly.subIndices.map((s) => [s.averaging, s.unit, s.value, s.level])).toEqual([
      ['nowcast', 'µg/m³', 210, { number: 5, name: 'Very Unhealthy', colour: '#8F3F97' }],
      ['1h', 'ppm', null, null],
    ]);
    expect(toWireIndexPoint(point(result), '1d', 'UTC').subIndices.map((s) => s.averaging)).toEqual([
      '24h',
      '1h-daily-max',
    ]);
  });
});

describe('exceedance rows and standards on the wire', () => {
  it('turns missing facts into nulls and keeps the percentile the standard judges by', () => {
    const assessed: LimitAssessment = {
      limit: {
        id: 'pm25-24h',
        pollutant: 'pm25',
        averaging: '24h',
        value: 60,
        unit: 'µg/m³',
        kind: 'limit',
        assessment: { kind: 'percentile', p: 95 },
      },
      status: 'assessed',
      exceedances: 4,
      exceedanceUnit: 'days',
      statistic: 270,
      compliant: false,
      samples: 7,
      coverage: { valid: false, have: 7, need: 324, of: 365, unit: 'days', rule: '324 valid days a year' },
    };
    expect(toWireLimit(assessed)).toMatchObject({
      judgedBy: 'percentile',
      percentile: 95,
      allowed: null,
      statistic: 270,
      complies: false,
      note: null,
    });
    const noData = toWireLimit({ limit: assessed.limit, status: 'no-data' });
    expect(noData).toMatchObject({ exceedances: null, statistic: null, complies: null, coverage: null });
  });

  it('points every standard at the endpoint that takes it', () => {
    const wire = STANDARDS.map((s) => toWireStandard(s));
    expect(wire.filter((s) => s.endpoint === '/v1/aqi').map((s) => s.id)).toEqual(['eaqi', 'hj633', 'epa']);
    // HJ 633 and EPA choose their version by date; the others have a default.
    expect(wire.every((s) => s.versions.some((v) => v.isDefault) || s.id === 'hj633' || s.id === 'epa')).toBe(
      true,
    );
  });
});
