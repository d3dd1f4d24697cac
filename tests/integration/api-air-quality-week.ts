import type { AqPollutant } from '../../domain/air-quality/index.ts';
import type { Reading } from '../../domain/reading.ts';

/**
 * A synthetic week (Monday 19 – Sunday 25 October 2026, local days) for each partner city, with
 * one constant hourly mean per pollutant and local day, so each standard's daily index and each
 * limit's exceedance count can be worked out by hand from the reference tables
 * (the standards' published tables); the expected values live in
 * the test, next to the arithmetic.
 *
 * Local day boundaries are written out in UTC rather than computed: Nice is CEST (+02:00) until
 * Sunday 25 October 03:00, then CET (+01:00), so that Sunday has 25 hours (02:00–03:00 twice);
 * Zhengzhou is +08:00 all year.
 */
export const HOUR = 3_600_000;

export type DayValues = Readonly<Partial<Record<AqPollutant, number>>>;

export interface CityWeek {
  readonly city: string;
  readonly dates: readonly string[];
  /** UTC start of each local day, then the start of the day after the last one. */
  readonly dayStarts: readonly string[];
  readonly days: readonly DayValues[];
}

export const NICE_WEEK: CityWeek = {
  city: 'nice',
  dates: ['2026-10-19', '2026-10-20', '2026-10-21', '2026-10-22', '2026-10-23', '2026-10-24', '2026-10-25'],
  dayStarts: [
    '2026-10-18T22:00:00Z',
    '2026-10-19T22:00:00Z',
    '2026-10-20T22:00:00Z',
    '2026-10-21T22:00:00Z',
    '2026-10-22T22:00:00Z',
    '2026-10-23T22:00:00Z',
    '2026-10-24T22:00:00Z', // Sunday 00:00 CEST
    '2026-10-25T23:00:00Z', // Monday 00:00 CET: Sunday lasted 25 hours
  ],
  days: [
    { pm25: 4, pm10: 12, no2: 8, o3: 50, so2: 10 },
    { pm25: 15, pm10: 30, no2: 20, o3: 50, so2: 10 },
    { pm25: 30, pm10: 30, no2: 20, o3: 50, so2: 10 },
    { pm25: 60, pm10: 100, no2: 70, o3: 50, so2: 10 },
    { pm25: 20, pm10: 130, no2: 210, o3: 50, so2: 10 },
    { pm25: 100, pm10: 60, no2: 30, o3: 50, so2: 10 },
    { pm25: 10, pm10: 40, no2: 20, o3: 50, so2: 360 },
  ],
};

/** Nice's second 02:00–03:00 of Sunday (CET, 01:00Z): PM10 65 instead of 40. */
export const NICE_REPEATED_HOUR = '2026-10-25T01:00:00Z';
export const NICE_REPEATED_HOUR_PM10 = 65;

/** Nice has two devices; PM2.5 reads 2 lower on nice-a and 2 higher on nice-b (the city mean is the day value). */
export const NICE_DEVICES = ['nice-a', 'nice-b'] as const;
export const NICE_PM25_OFFSET = { 'nice-a': -2, 'nice-b': 2 } as const;

export const ZHENGZHOU_WEEK: CityWeek = {
  city: 'zhengzhou',
  dates: NICE_WEEK.dates,
  dayStarts: [
    '2026-10-18T16:00:00Z',
    '2026-10-19T16:00:00Z',
    '2026-10-20T16:00:00Z',
    '2026-10-21T16:00:00Z',
    '2026-10-22T16:00:00Z',
    '2026-10-23T16:00:00Z',
    '2026-10-24T16:00:00Z',
    '2026-10-25T16:00:00Z',
  ],
  days: [
    { pm25: 20, pm10: 40, no2: 30, o3: 80, so2: 10, co: 1 },
    { pm25: 47, pm10: 80, no2: 50, o3: 80, so2: 10, co: 1 },
    { pm25: 80, pm10: 120, no2: 60, o3: 80, so2: 10, co: 1 },
    { pm25: 60, pm10: 120, no2: 40, o3: 80, so2: 10, co: 1 },
    { pm25: 130, pm10: 200, no2: 100, o3: 80, so2: 10, co: 1 },
    { pm25: 200, pm10: 300, no2: 150, o3: 80, so2: 10, co: 1 },
    { pm25: 300, pm10: 100, no2: 50, o3: 80, so2: 10, co: 1 },
  ],
};

export const ZHENGZHOU_DEVICE = 'zz-a';

/** Hour starts of local day `k` of a week. */
export function hoursOfDay(week: CityWeek, k: number): number[] {
  const start = Date.parse(week.dayStarts[k] ?? '');
  const end = Date.parse(week.dayStarts[k + 1] ?? '');
  const hours: number[] = [];
  for (let ts = start; ts < end; ts += HOUR) hours.push(ts);
  return hours;
}

/**
 * Two readings per hour, 10 and 40 minutes past, a quarter of the hourly mean apart on either side
 * (exact in binary), so the store's hourly mean is the intended value.
 */
function twoReadings(base: Omit<Reading, 'ts' | 'value'>, hourStart: number, mean: number): Reading[] {
  const spread = mean / 4;
  return [
    { ...base, ts: hourStart + 10 * 60_000, value: mean - spread },
    { ...base, ts: hourStart + 40 * 60_000, value: mean + spread },
  ];
}

function valueAt(week: CityWeek, day: DayValues, metric: AqPollutant, ts: number): number | undefined {
  if (week === NICE_WEEK && metric === 'pm10' && ts === Date.parse(NICE_REPEATED_HOUR)) {
    return NICE_REPEATED_HOUR_PM10;
  }
  return day[metric];
}

function weekReadings(week: CityWeek, deviceId: string, adjust: (metric: AqPollutant, v: number) => number) {
  const readings: Reading[] = [];
  week.days.forEach((day, k) => {
    for (const ts of hoursOfDay(week, k)) {
      for (const metric of Object.keys(day) as AqPollutant[]) {
        const value = valueAt(week, day, metric, ts);
        if (value === undefined) continue;
        readings.push(...twoReadings({ city: week.city, deviceId, metric }, ts, adjust(metric, value)));
      }
    }
  });
  return readings;
}

export function syntheticReadings(): Reading[] {
  return [
    ...NICE_DEVICES.flatMap((device) =>
      weekReadings(NICE_WEEK, device, (metric, v) => (metric === 'pm25' ? v + NICE_PM25_OFFSET[device] : v)),
    ),
    ...weekReadings(ZHENGZHOU_WEEK, ZHENGZHOU_DEVICE, (_metric, v) => v),
  ];
}
