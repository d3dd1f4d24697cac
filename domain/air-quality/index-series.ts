import { UcapError } from '../errors.ts';
import { eaqiDailyInput, epaDailyInput, hj633DailyInput } from './daily-index.ts';
import { computeEaqi, type EaqiResult, isEaqiVersion } from './eaqi.ts';
import { DEFAULT_EAQI_VERSION } from './eaqi-tables.ts';
import { computeEpaAqi, type EpaResult, isEpaVersion } from './epa.ts';
import { computeHj633Aqi, type Hj633Result, hj633VersionFor, isHj633Version } from './hj633.ts';
import type { Hj633Version } from './hj633-tables.ts';
import { eaqiHourlyInput, epaHourlyInput, hj633HourlyInput } from './hourly-index.ts';
import type { IndexStandardId } from './level-names.ts';
import { addDays, dateKeysBetween, HOUR_MS, localDateKey, startOfLocalDay } from './local-calendar.ts';
import { type IndexedSeries, indexSeries, type PollutantSeries } from './pollutant-series.ts';

export type IndexResult = EaqiResult | Hj633Result | EpaResult;

export interface IndexSeriesInput {
  readonly standard: IndexStandardId;
  /** EAQI: 2024 | classic | 2017; HJ 633: 2012 | 2026 (else by date); EPA: 2018 | 2024 (else by date). */
  readonly version?: string;
  /** '1h': the hourly (real-time) index per hour; '1d': the daily index per local day. */
  readonly every: '1h' | '1d';
  readonly timeZone: string;
  /** [from, to) epoch ms; hours start on the hour; days are the local days this range touches. */
  readonly from: number;
  readonly to: number;
  readonly series: PollutantSeries;
}

export interface IndexPoint {
  /** Hour start, or the first instant of the local day. */
  readonly ts: number;
  /** Local date (YYYY-MM-DD) of the hour or day. */
  readonly date: string;
  readonly result: IndexResult;
}

type Bucket = { readonly ts: number; readonly date: string };

function buckets(input: IndexSeriesInput): Bucket[] {
  const { from, to, timeZone } = input;
  if (!(Number.isFinite(from) && Number.isFinite(to) && to > from)) {
    throw new UcapError('AQ_INVALID_INPUT', 'the index range needs from < to');
  }
  if (input.every === '1h') {
    const out: Bucket[] = [];
    for (let ts = from; ts < to; ts += HOUR_MS) out.push({ ts, date: localDateKey(ts, timeZone) });
    return out;
  }
  const days = dateKeysBetween(localDateKey(from, timeZone), addDays(localDateKey(to - 1, timeZone), 1));
  return days.map((date) => ({ ts: startOfLocalDay(date, timeZone), date }));
}

function eaqiAt(s: IndexedSeries, b: Bucket, input: IndexSeriesInput): EaqiResult | undefined {
  const version = input.version ?? DEFAULT_EAQI_VERSION;
  if (!isEaqiVersion(version)) throw new UcapError('AQ_INVALID_INPUT', `unknown EAQI version "${version}"`);
  const values =
    input.every === '1h'
      ? eaqiHourlyInput(s, b.ts, version)
      : eaqiDailyInput(s, b.date, input.timeZone, version);
  return Object.keys(values).length === 0 ? undefined : computeEaqi(values, { version });
}

function hj633At(s: IndexedSeries, b: Bucket, input: IndexSeriesInput): Hj633Result | undefined {
  const requested = input.version;
  if (requested !== undefined && !isHj633Version(requested)) {
    throw new UcapError('AQ_INVALID_INPUT', `unknown HJ 633 version "${requested}"`);
  }
  const version: Hj633Version = requested ?? hj633VersionFor(b.ts);
  const values =
    input.every === '1h' ? hj633HourlyInput(s, b.ts) : hj633DailyInput(s, b.date, input.timeZone);
  const report = input.every === '1h' ? 'hourly' : 'daily';
  return Object.keys(values).length === 0 ? undefined : computeHj633Aqi(values, { version, report });
}

function epaAt(s: IndexedSeries, b: Bucket, input: IndexSeriesInput): EpaResult | undefined {
  const { version } = input;
  if (version !== undefined && !isEpaVersion(version)) {
    throw new UcapError('AQ_INVALID_INPUT', `unknown EPA AQI version "${version}"`);
  }
  const values = input.every === '1h' ? epaHourlyInput(s, b.ts) : epaDailyInput(s, b.date, input.timeZone);
  if (Object.keys(values).length === 0) return undefined;
  return computeEpaAqi(values, version === undefined ? { date: b.date } : { version });
}

const AT = { eaqi: eaqiAt, hj633: hj633At, epa: epaAt } as const;

/**
 * An index per hour or per local day over a range, computed from hourly series with the standard's
 * own averaging (see hourly-index.ts and daily-index.ts). Buckets without any usable input are left
 * out; every result names the version used and carries its per-pollutant sub-indices.
 */
export function computeIndexSeries(input: IndexSeriesInput): IndexPoint[] {
  const at = AT[input.standard];
  if (!at) throw new UcapError('AQ_INVALID_INPUT', `unknown index standard "${String(input.standard)}"`);
  const s = indexSeries(input.series);
  return buckets(input).flatMap((b) => {
    const result = at(s, b, input);
    return result ? [{ ts: b.ts, date: b.date, result }] : [];
  });
}
