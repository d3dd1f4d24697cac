import type { EaqiInput } from './eaqi.ts';
import { DEFAULT_EAQI_VERSION, EAQI_POLLUTANTS, EAQI_TABLES, type EaqiVersion } from './eaqi-tables.ts';
import type { EpaInput } from './epa.ts';
import type { Hj633Input } from './hj633.ts';
import { HOUR_MS } from './local-calendar.ts';
import { NOWCAST_HOURS, nowcast } from './nowcast.ts';
import { defined, type IndexedSeries, trailingMean } from './pollutant-series.ts';
import { CHINA_VALIDITY, EU_VALIDITY } from './validity-rules.ts';

/**
 * Inputs of each standard's hourly (real-time) index at the hour starting at `ts`, from hourly
 * series. Averages that fail their coverage rule are left out, so their sub-index is missing.
 */
const EIGHT_HOUR_MIN = 6;

/** EAQI: hourly values; classic/2017 PM as 24-hour running means (18 of 24 hours). */
export function eaqiHourlyInput(
  s: IndexedSeries,
  ts: number,
  version: EaqiVersion = DEFAULT_EAQI_VERSION,
): EaqiInput {
  const table = EAQI_TABLES[version];
  const entries = Object.fromEntries(
    EAQI_POLLUTANTS.map((p) => [
      p,
      table.pollutants[p].averaging === '1h'
        ? s.get(p)?.get(ts)
        : trailingMean(s.get(p), ts, 24, EU_VALIDITY.runningMean24hMinHours),
    ]),
  ) as Record<(typeof EAQI_POLLUTANTS)[number], number | undefined>;
  return defined(entries);
}

/**
 * HJ 633 real-time report: 1-hour gases and PM (as China's national real-time
 * publishing platform, CNEMC, applies the PM 24-hour breakpoints to 1-hour means),
 * O3 8-hour running mean (6 of 8 hours), SO2 24-hour running mean for the 2012 above-table rule.
 */
export function hj633HourlyInput(s: IndexedSeries, ts: number): Hj633Input {
  const at = (p: 'so2' | 'no2' | 'co' | 'o3' | 'pm10' | 'pm25') => s.get(p)?.get(ts);
  return defined({
    so2_1h: at('so2'),
    no2_1h: at('no2'),
    co_1h: at('co'),
    o3_1h: at('o3'),
    o3_8h: trailingMean(s.get('o3'), ts, 8, EIGHT_HOUR_MIN),
    pm10: at('pm10'),
    pm25: at('pm25'),
    so2_24h: trailingMean(s.get('so2'), ts, 24, CHINA_VALIDITY.runningMean24hMinHours),
  });
}

function nowcastAt(byTs: ReadonlyMap<number, number> | undefined, ts: number): number | undefined {
  if (!byTs) return undefined;
  return nowcast(Array.from({ length: NOWCAST_HOURS }, (_, k) => byTs.get(ts - k * HOUR_MS)));
}

/**
 * US EPA hourly AQI: PM NowCast; O3 and CO on the trailing 8-hour mean (EPA publishes no
 * ozone NowCast), O3/NO2/SO2 1-hour values, SO2 24-hour mean for the rule above 304 ppb.
 */
export function epaHourlyInput(s: IndexedSeries, ts: number): EpaInput {
  return defined({
    pm25: nowcastAt(s.get('pm25'), ts),
    pm10: nowcastAt(s.get('pm10'), ts),
    o3_8h: trailingMean(s.get('o3'), ts, 8, EIGHT_HOUR_MIN),
    o3_1h: s.get('o3')?.get(ts),
    co_8h: trailingMean(s.get('co'), ts, 8, EIGHT_HOUR_MIN),
    so2_1h: s.get('so2')?.get(ts),
    no2_1h: s.get('no2')?.get(ts),
    so2_24h: trailingMean(s.get('so2'), ts, 24, 18),
  });
}
