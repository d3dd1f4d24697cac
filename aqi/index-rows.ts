import { AVERAGING_MARGIN_MS } from '../domain/air-quality/averaging.ts';
import {
  computeIndexSeries,
  type IndexPoint,
  type IndexStandardId,
  type PollutantSeries,
} from '../domain/air-quality/index.ts';
import { addDays, HOUR_MS, startOfLocalDay } from '../domain/air-quality/local-calendar.ts';
import { type IndexRow, indexRowOf } from '../store/index-row.ts';

export const INDEX_STANDARDS: readonly IndexStandardId[] = ['eaqi', 'hj633', 'epa'];

export interface IndexRowsInput {
  readonly city: string;
  readonly deviceId?: string;
  readonly timeZone: string;
  readonly series: PollutantSeries;
  /** [from, to) of the hours to compute (whole hours). */
  readonly hours: { readonly from: number; readonly to: number };
  /** [from, to) of the local days to compute (local midnights). */
  readonly days: { readonly from: number; readonly to: number };
  readonly standards?: readonly IndexStandardId[];
  /** City rows: the devices with an hourly mean in [from, to). */
  readonly devicesBetween?: (from: number, to: number) => readonly string[];
}

/**
 * The data an index of the period [ts, end) averages: trailing means reach 24 hours back, and daily
 * maxima of 8-hour windows reach into the next day (as /v1/aqi reads them).
 */
function dataWindow(ts: number, date: string, every: '1h' | '1d', timeZone: string): [number, number] {
  if (every === '1h') return [ts - AVERAGING_MARGIN_MS, ts + HOUR_MS];
  return [ts - AVERAGING_MARGIN_MS, startOfLocalDay(addDays(date, 1), timeZone) + AVERAGING_MARGIN_MS];
}

/** Hourly and daily rows of every standard over the given hours and days. */
export function indexRows(input: IndexRowsInput): IndexRow[] {
  const rows: IndexRow[] = [];
  for (const standard of input.standards ?? INDEX_STANDARDS) {
    for (const [every, range] of [
      ['1h', input.hours],
      ['1d', input.days],
    ] as const) {
      if (range.to <= range.from) continue;
      const points: IndexPoint[] = computeIndexSeries({
        standard,
        every,
        timeZone: input.timeZone,
        from: range.from,
        to: range.to,
        series: input.series,
      });
      for (const point of points) {
        const devices =
          input.deviceId !== undefined
            ? [input.deviceId]
            : (input.devicesBetween?.(...dataWindow(point.ts, point.date, every, input.timeZone)) ?? []);
        rows.push(
          indexRowOf({
            ts: point.ts,
            city: input.city,
            ...(input.deviceId === undefined ? {} : { deviceId: input.deviceId }),
            standard,
            every,
            date: point.date,
            result: point.result,
            devices,
          }),
        );
      }
    }
  }
  return rows;
}
