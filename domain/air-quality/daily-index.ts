import { meanAt } from './averaging.ts';
import { dailyMax8hOf } from './daily-max-8h.ts';
import type { EaqiInput } from './eaqi.ts';
import { DEFAULT_EAQI_VERSION, EAQI_POLLUTANTS, type EaqiVersion } from './eaqi-tables.ts';
import type { EpaInput } from './epa.ts';
import type { Hj633Input } from './hj633.ts';
import { eaqiHourlyInput } from './hourly-index.ts';
import { hoursOfLocalDay } from './local-calendar.ts';
import { defined, type IndexedSeries, maxAt } from './pollutant-series.ts';
import { CHINA_VALIDITY, type EightHourRule, EPA_VALIDITY } from './validity-rules.ts';

/**
 * Inputs of each standard's daily index for one local calendar day, from hourly series: 24-hour
 * means and daily maximum 8-hour means as each standard's daily report defines them. Averages that
 * fail their coverage rule are left out.
 */
function dayMean(byTs: ReadonlyMap<number, number> | undefined, hours: readonly number[], minHours: number) {
  if (!byTs) return undefined;
  const { count, value } = meanAt(byTs, hours);
  return count >= minHours ? value : undefined;
}

function dayMax8h(
  byTs: ReadonlyMap<number, number> | undefined,
  date: string,
  timeZone: string,
  rule: EightHourRule,
): number | undefined {
  if (!byTs) return undefined;
  const day = dailyMax8hOf(byTs, date, timeZone, rule);
  return day.valid ? day.value : undefined;
}

/**
 * EAQI daily: the EEA publishes no daily index; we report the worst hour of the day — per
 * pollutant the day's highest value on the version's own averaging — which the bands then classify.
 */
export function eaqiDailyInput(
  s: IndexedSeries,
  date: string,
  timeZone: string,
  version: EaqiVersion = DEFAULT_EAQI_VERSION,
): EaqiInput {
  const perHour = hoursOfLocalDay(date, timeZone).map((ts) => eaqiHourlyInput(s, ts, version));
  const entries = Object.fromEntries(
    EAQI_POLLUTANTS.map((p) => {
      const values = perHour.flatMap((i) => (i[p] === undefined ? [] : [i[p]]));
      return [p, values.length === 0 ? undefined : Math.max(...values)];
    }),
  ) as Record<(typeof EAQI_POLLUTANTS)[number], number | undefined>;
  return defined(entries);
}

/** HJ 633 daily report: 24-hour means (20 hours), O3 daily max 8-hour (China windows) and 1-hour. */
export function hj633DailyInput(s: IndexedSeries, date: string, timeZone: string): Hj633Input {
  const hours = hoursOfLocalDay(date, timeZone);
  const min = CHINA_VALIDITY.dailyMinHours;
  return defined({
    so2_24h: dayMean(s.get('so2'), hours, min),
    no2_24h: dayMean(s.get('no2'), hours, min),
    co_24h: dayMean(s.get('co'), hours, min),
    pm10: dayMean(s.get('pm10'), hours, min),
    pm25: dayMean(s.get('pm25'), hours, min),
    o3_8h: dayMax8h(s.get('o3'), date, timeZone, CHINA_VALIDITY.dailyMax8h),
    o3_1h: maxAt(s.get('o3'), hours),
  });
}

// CO's daily 8-hour maximum over windows ending in the day (the TAD's "max 8-hour value in a
// 24-hour period"); the window assignment is our choice, the TAD does not give one.
const EPA_CO_DAILY_MAX_8H: EightHourRule = {
  anchor: 'last-hour',
  fromLocalHour: 0,
  toLocalHour: 23,
  minHoursPerWindow: 6,
  minValidWindows: 18,
};

/** US EPA daily AQI: PM 24-hour means (18 hours), O3 MDA8 (07:00–23:00 starts), daily 1-hour maxima. */
export function epaDailyInput(s: IndexedSeries, date: string, timeZone: string): EpaInput {
  const hours = hoursOfLocalDay(date, timeZone);
  const min = EPA_VALIDITY.dailyMinHours;
  return defined({
    pm25: dayMean(s.get('pm25'), hours, min),
    pm10: dayMean(s.get('pm10'), hours, min),
    o3_8h: dayMax8h(s.get('o3'), date, timeZone, EPA_VALIDITY.dailyMax8h),
    o3_1h: maxAt(s.get('o3'), hours),
    co_8h: dayMax8h(s.get('co'), date, timeZone, EPA_CO_DAILY_MAX_8H),
    so2_1h: maxAt(s.get('so2'), hours),
    no2_1h: maxAt(s.get('no2'), hours),
    so2_24h: dayMean(s.get('so2'), hours, min),
  });
}
