import { AVERAGING_MARGIN_MS } from '../api/air-quality-data.ts';
import {
  computeIndexSeries,
  EPA_CATEGORIES,
  type IndexPoint,
  type IndexResult,
  type IndexStandardId,
  type PollutantSeries,
} from '../domain/air-quality/index.ts';
import { addDays, HOUR_MS, startOfLocalDay } from '../domain/air-quality/local-calendar.ts';

/**
 * One stored index value: an hour's or a local day's index of one standard, for the city (mean of
 * its devices' hourly means, as /v1/aqi computes it) or for one device. The numbers come from the
 * same computeIndexSeries the API uses, so Grafana and the API show the same index.
 */
export interface IndexRow {
  readonly ts: number;
  readonly city: string;
  /** Absent for the city as a whole. */
  readonly deviceId?: string;
  readonly standard: IndexStandardId;
  readonly every: '1h' | '1d';
  readonly version: string;
  /** Null when the standard gives no overall value (e.g. every counted sub-index missing). */
  readonly value: number | null;
  /** 1 = best; null with the value. */
  readonly level: number | null;
  readonly primary: readonly string[];
  readonly incomplete: boolean;
  /** Computed sub-indices by measure (IAQI, EPA AQI, or EAQI level number). */
  readonly subIndices: Readonly<Record<string, number>>;
  /** Local date (YYYY-MM-DD) of the hour or day. */
  readonly date: string;
  /** The whole result (concentrations, rules, what was not computed): /v1/aqi shows it as stored. */
  readonly result: IndexResult;
  /** Devices with an hourly mean in the data the index averages (the device itself for a device row). */
  readonly devices: readonly string[];
}

export const INDEX_STANDARDS: readonly IndexStandardId[] = ['eaqi', 'hj633', 'epa'];

interface Summary {
  readonly value: number | null;
  readonly level: number | null;
  readonly primary: readonly string[];
  readonly incomplete: boolean;
  readonly subIndices: Record<string, number>;
}

function summary(result: IndexResult): Summary {
  const subIndices: Record<string, number> = {};
  switch (result.standard) {
    case 'eaqi':
      for (const s of result.subIndices) subIndices[s.pollutant] = s.level.index;
      return {
        value: result.overall?.index ?? null,
        level: result.overall?.index ?? null,
        primary: result.dominantPollutants,
        incomplete: false,
        subIndices,
      };
    case 'hj633':
      for (const s of result.subIndices) if (s.iaqi !== null && s.counted) subIndices[s.measure] = s.iaqi;
      return {
        value: result.aqi,
        level: result.level?.level ?? null,
        primary: result.primaryPollutants,
        incomplete: result.incomplete,
        subIndices,
      };
    case 'epa':
      for (const s of result.subIndices) if (s.aqi !== null && s.counted) subIndices[s.measure] = s.aqi;
      return {
        value: result.aqi,
        level: result.category === null ? null : EPA_CATEGORIES.indexOf(result.category) + 1,
        primary: result.dominantPollutants,
        incomplete: result.incomplete,
        subIndices,
      };
  }
}

/** What identifies a row and what it was computed from: the rest of an IndexRow follows. */
export type IndexRowSource = Pick<
  IndexRow,
  'ts' | 'city' | 'deviceId' | 'standard' | 'every' | 'date' | 'result' | 'devices'
>;

/** The row of one computed (or stored and read back) result: one summary for every store. */
export function indexRowOf(source: IndexRowSource): IndexRow {
  const s = summary(source.result);
  return {
    ...source,
    version: source.result.version,
    value: s.value,
    level: s.level,
    primary: s.primary,
    incomplete: s.incomplete,
    subIndices: s.subIndices,
  };
}

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
 * maxima of 8-hour windows reach into the next day (as /v1/aqi reads them, api/air-quality-data.ts).
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
