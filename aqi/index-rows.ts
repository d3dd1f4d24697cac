import {
  computeIndexSeries,
  EPA_CATEGORIES,
  type IndexPoint,
  type IndexResult,
  type IndexStandardId,
  type PollutantSeries,
} from '../domain/air-quality/index.ts';

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
  readonly value: number;
  /** 1 = best. */
  readonly level: number;
  readonly primary: readonly string[];
  readonly incomplete: boolean;
  /** Computed sub-indices by measure (IAQI, EPA AQI, or EAQI level number). */
  readonly subIndices: Readonly<Record<string, number>>;
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
        const s = summary(point.result);
        if (s.value === null || s.level === null) continue;
        rows.push({
          ts: point.ts,
          city: input.city,
          ...(input.deviceId === undefined ? {} : { deviceId: input.deviceId }),
          standard,
          every,
          version: point.result.version,
          value: s.value,
          level: s.level,
          primary: s.primary,
          incomplete: s.incomplete,
          subIndices: s.subIndices,
        });
      }
    }
  }
  return rows;
}
