import { UcapError } from '../errors.ts';
import {
  DEFAULT_EAQI_VERSION,
  EAQI_POLLUTANTS,
  EAQI_TABLES,
  EAQI_VERSIONS,
  type EaqiAveraging,
  type EaqiLevel,
  type EaqiPollutant,
  type EaqiVersion,
} from './eaqi-tables.ts';
import { assertConcentration } from './pollutants.ts';
import { bandOf } from './sub-index.ts';

/**
 * Concentrations in µg/m³, each on the averaging its version asks for (see `eaqiAveraging`):
 * hourly values for the 2024 bands; PM as 24-hour running means for the classic and 2017 bands.
 */
export type EaqiInput = Partial<Record<EaqiPollutant, number>>;

export interface EaqiSubIndex {
  readonly pollutant: EaqiPollutant;
  readonly concentration: number;
  readonly averaging: EaqiAveraging;
  readonly level: EaqiLevel;
}

export interface EaqiResult {
  readonly standard: 'eaqi';
  readonly version: EaqiVersion;
  /** In the order pm25, pm10, no2, o3, so2; only pollutants that were given. */
  readonly subIndices: readonly EaqiSubIndex[];
  /** The worst sub-index level, or null when no pollutant was given. */
  readonly overall: EaqiLevel | null;
  /** Pollutants whose level equals the overall level (all of them on a tie). */
  readonly dominantPollutants: readonly EaqiPollutant[];
}

export function isEaqiVersion(value: string): value is EaqiVersion {
  return (EAQI_VERSIONS as readonly string[]).includes(value);
}

/** The averaging a version expects for a pollutant (so callers feed the right means). */
export function eaqiAveraging(
  pollutant: EaqiPollutant,
  version: EaqiVersion = DEFAULT_EAQI_VERSION,
): EaqiAveraging {
  return EAQI_TABLES[version].pollutants[pollutant].averaging;
}

/** The EAQI level of one concentration. */
export function eaqiLevel(
  pollutant: EaqiPollutant,
  concentration: number,
  version: EaqiVersion = DEFAULT_EAQI_VERSION,
): EaqiLevel {
  assertConcentration(concentration, `EAQI ${pollutant}`);
  const table = EAQI_TABLES[version];
  const band = bandOf(table.pollutants[pollutant].upperBounds, concentration);
  const level = table.levels[band - 1];
  if (!level) throw new UcapError('AQ_INVALID_INPUT', `EAQI ${version} has no level ${band}`);
  return level;
}

/** EAQI per pollutant and overall (the worst level among the pollutants given). */
export function computeEaqi(input: EaqiInput, options: { readonly version?: EaqiVersion } = {}): EaqiResult {
  const version = options.version ?? DEFAULT_EAQI_VERSION;
  if (!isEaqiVersion(version)) throw new UcapError('AQ_INVALID_INPUT', `unknown EAQI version "${version}"`);
  const subIndices: EaqiSubIndex[] = [];
  for (const pollutant of EAQI_POLLUTANTS) {
    const concentration = input[pollutant];
    if (concentration === undefined) continue;
    subIndices.push({
      pollutant,
      concentration,
      averaging: eaqiAveraging(pollutant, version),
      level: eaqiLevel(pollutant, concentration, version),
    });
  }
  let overall: EaqiLevel | null = null;
  for (const s of subIndices) if (overall === null || s.level.index > overall.index) overall = s.level;
  const dominantPollutants = subIndices
    .filter((s) => overall !== null && s.level.index === overall.index)
    .map((s) => s.pollutant);
  return { standard: 'eaqi', version, subIndices, overall, dominantPollutants };
}
