import { UcapError } from '../errors.ts';
import type { HourlyValue } from './averaging.ts';
import { HOUR_MS } from './local-calendar.ts';

/**
 * The EPA PM NowCast (EPA "PM NowCast" fact sheet, nepis P100X0J6; AirNowTech forum "The NowCast
 * for PM2.5 and PM10"): a weighted mean of the last 12 hourly concentrations with weight factor
 * w = min/max clamped to [0.5, 1], hour k ago weighted w^k. Valid only when at least 2 of the 3
 * most recent hours are present. Raw hourly values go in; the result is truncated by the AQI step.
 * We have no published ozone NowCast formula to follow, so none is offered.
 */
export const NOWCAST_HOURS = 12;
export const NOWCAST_MIN_WEIGHT = 0.5;

/**
 * NowCast from hourly values, most recent first (index k = k hours ago); null/undefined marks a
 * missing hour. Returns undefined when the completeness rule fails.
 */
export function nowcast(recentFirst: readonly (number | null | undefined)[]): number | undefined {
  const window = recentFirst.slice(0, NOWCAST_HOURS);
  const recentPresent = window.slice(0, 3).filter((v) => v !== null && v !== undefined).length;
  if (recentPresent < 2) return undefined;
  const present: [number, number][] = [];
  window.forEach((v, hoursAgo) => {
    if (v === null || v === undefined) return;
    if (!Number.isFinite(v) || v < 0)
      throw new UcapError('AQ_INVALID_INPUT', `NowCast input ${v} is not a concentration`);
    present.push([hoursAgo, v]);
  });
  const values = present.map(([, v]) => v);
  const max = Math.max(...values);
  const min = Math.min(...values);
  const w = max === 0 ? 1 : Math.max(NOWCAST_MIN_WEIGHT, 1 - (max - min) / max);
  let num = 0;
  let den = 0;
  for (const [hoursAgo, v] of present) {
    const weight = w ** hoursAgo;
    num += v * weight;
    den += weight;
  }
  return num / den;
}

export interface NowcastPoint {
  /** Start of the most recent hour the NowCast covers, epoch ms. */
  readonly ts: number;
  readonly value: number | undefined;
}

/** NowCast for every hour from the first to the last hour of an hourly series. */
export function nowcastSeries(series: readonly HourlyValue[]): NowcastPoint[] {
  if (series.length === 0) return [];
  const byTs = new Map(series.map((p) => [p.ts, p.value]));
  const first = Math.min(...byTs.keys());
  const last = Math.max(...byTs.keys());
  const points: NowcastPoint[] = [];
  for (let ts = first; ts <= last; ts += HOUR_MS) {
    const recent = Array.from({ length: NOWCAST_HOURS }, (_, k) => byTs.get(ts - k * HOUR_MS));
    points.push({ ts, value: nowcast(recent) });
  }
  return points;
}
