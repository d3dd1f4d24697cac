import { count, type LimitStandard, type LimitValue, limit, MEAN, pct } from './limit-types.ts';
import { WHO_VALIDITY } from './validity-rules.ts';

/**
 * WHO Global Air Quality Guidelines 2021: AQG levels and interim targets IT-1…IT-4 (Executive
 * summary, Table 0.1). Short-term (24-h, 8-h) values are 99th
 * percentiles (3–4 exceedance days a year); the peak-season O3 value is the mean of the daily
 * maximum 8-hour means over the six consecutive months with the highest six-month running mean.
 */
const P99 = pct(99);

const NOT_TEN_MIN = {
  kind: 'not-assessable',
  reason: 'needs 10-minute means; only hourly means are stored',
} as const;
const NOT_FIFTEEN_MIN = {
  kind: 'not-assessable',
  reason: 'needs 15-minute means; only hourly means are stored',
} as const;

// WHO AQG 2021 Table 0.1, one column per level; undefined = no value at that level.
type Column = 'it1' | 'it2' | 'it3' | 'it4' | 'aqg';
const TABLE: readonly {
  pollutant: LimitValue['pollutant'];
  averaging: LimitValue['averaging'];
  values: Partial<Record<Column, number>>;
}[] = [
  { pollutant: 'pm25', averaging: 'annual', values: { it1: 35, it2: 25, it3: 15, it4: 10, aqg: 5 } },
  { pollutant: 'pm25', averaging: '24h', values: { it1: 75, it2: 50, it3: 37.5, it4: 25, aqg: 15 } },
  { pollutant: 'pm10', averaging: 'annual', values: { it1: 70, it2: 50, it3: 30, it4: 20, aqg: 15 } },
  { pollutant: 'pm10', averaging: '24h', values: { it1: 150, it2: 100, it3: 75, it4: 50, aqg: 45 } },
  { pollutant: 'o3', averaging: 'peak-season', values: { it1: 100, it2: 70, aqg: 60 } },
  { pollutant: 'o3', averaging: '8h-daily-max', values: { it1: 160, it2: 120, aqg: 100 } },
  { pollutant: 'no2', averaging: 'annual', values: { it1: 40, it2: 30, it3: 20, aqg: 10 } },
  { pollutant: 'no2', averaging: '24h', values: { it1: 120, it2: 50, aqg: 25 } },
  // SO2 AQG is 40 (a widely copied summary table mis-types it as 50).
  { pollutant: 'so2', averaging: '24h', values: { it1: 125, it2: 50, aqg: 40 } },
  { pollutant: 'co', averaging: '24h', values: { it1: 7, aqg: 4 } },
];

function levelSet(column: Column): LimitValue[] {
  const kind = column === 'aqg' ? 'guideline' : 'interim-target';
  return TABLE.flatMap((row) => {
    const value = row.values[column];
    if (value === undefined) return [];
    const assessment = row.averaging === 'annual' || row.averaging === 'peak-season' ? MEAN : P99;
    return [limit(row.pollutant, row.averaging, value, kind, assessment)];
  });
}

// WHO AQG 2021, executive summary: earlier guideline values (2005, 2000) that remain valid, AQG level only.
const OLDER_GUIDELINES: readonly LimitValue[] = [
  limit('no2', '1h', 200, 'guideline', count(0)),
  limit('so2', '10min', 500, 'guideline', NOT_TEN_MIN),
  limit('co', '8h-daily-max', 10, 'guideline', count(0)),
  limit('co', '1h', 35, 'guideline', count(0)),
  limit('co', '15min', 100, 'guideline', NOT_FIFTEEN_MIN),
];

export const WHO_2021: LimitStandard = {
  id: 'who2021',
  name: 'WHO Global Air Quality Guidelines 2021',
  grades: ['aqg', 'it1', 'it2', 'it3', 'it4'],
  defaultGrade: 'aqg',
  sets: [
    { grade: 'aqg', limits: [...levelSet('aqg'), ...OLDER_GUIDELINES] },
    { grade: 'it1', limits: levelSet('it1') },
    { grade: 'it2', limits: levelSet('it2') },
    { grade: 'it3', limits: levelSet('it3') },
    { grade: 'it4', limits: levelSet('it4') },
  ],
  validity: WHO_VALIDITY,
  source: {
    reference:
      'WHO global air quality guidelines (2021), Table 0.1 (AQG levels and interim targets), executive summary (earlier guidelines still valid)',
    documents: ['WHO global air quality guidelines (2021), ISBN 9789240034228'],
    urls: ['https://www.airclim.org/who-air-quality-guidelines'],
    confidence: 'verified',
  },
  uncertainties: [
    { what: 'percentile method', why: 'WHO names none; the linear method of percentile.ts is used' },
    {
      what: '8-hour windows of the daily maximum',
      why: 'WHO does not say which windows belong to a day; the EU rule is applied',
    },
  ],
};
