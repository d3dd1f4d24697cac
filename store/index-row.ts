import { EPA_CATEGORIES, type IndexResult, type IndexStandardId } from '../domain/air-quality/index.ts';

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
