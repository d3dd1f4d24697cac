/**
 * Public API of the air-quality domain module: indices (EU EAQI, China HJ 633, US EPA AQI),
 * averaging on the local calendar, limit values and exceedances, and the standards catalogue.
 * Pure functions over hourly means in the canonical units (µg/m³, CO mg/m³); no I/O.
 */

export { mgm3ToPpm, ppbToUgm3, ppmToMgm3, REFERENCE_STATES, ugm3ToPpb } from '../gas-conversion.ts';
export type {
  AssessExceedancesInput,
  AssessmentPeriod,
  ExceedanceReport,
  LimitAssessment,
} from './assessment-types.ts';
export {
  type DailyValue,
  dailyMeans,
  type HourlyValue,
  periodMean,
  type RunningValue,
  runningMeans,
} from './averaging.ts';
export type { Coverage } from './coverage.ts';
export { type DailyMax8h, dailyMax8h } from './daily-max-8h.ts';
export {
  computeEaqi,
  type EaqiInput,
  type EaqiResult,
  eaqiAveraging,
  eaqiLevel,
  isEaqiVersion,
} from './eaqi.ts';
export {
  EAQI_TABLES,
  EAQI_VERSIONS,
  type EaqiLevel,
  type EaqiPollutant,
  type EaqiVersion,
} from './eaqi-tables.ts';
export { computeEpaAqi, type EpaInput, type EpaResult, epaCategory, epaSubIndex, toEpaUnits } from './epa.ts';
export { EPA_CATEGORIES, EPA_TABLES, type EpaCategory, type EpaMeasure } from './epa-tables.ts';
export { assessExceedances } from './exceedances.ts';
export {
  computeHj633Aqi,
  type Hj633Input,
  type Hj633Options,
  type Hj633Result,
  hj633Iaqi,
  hj633Level,
  hj633VersionFor,
  isHj633Version,
} from './hj633.ts';
export {
  HJ633_LEVELS,
  HJ633_TABLES,
  HJ633_VERSIONS,
  type Hj633Level,
  type Hj633Measure,
  type Hj633Report,
  type Hj633Version,
} from './hj633-tables.ts';
export {
  computeIndexSeries,
  type IndexPoint,
  type IndexResult,
  type IndexSeriesInput,
} from './index-series.ts';
export type { IndexStandardId } from './level-names.ts';
export type { LimitValue } from './limit-types.ts';
export {
  isLimitStandardId,
  LIMIT_STANDARD_IDS,
  LIMIT_STANDARDS,
  type LimitStandardId,
  limitValuesFor,
} from './limit-values.ts';
export { type NowcastPoint, nowcast, nowcastSeries } from './nowcast.ts';
export { percentile } from './percentile.ts';
export type { PollutantSeries } from './pollutant-series.ts';
export { AQ_POLLUTANTS, type AqPollutant } from './pollutants.ts';
export { STANDARDS, type StandardEntry, type StandardVersion } from './standards-catalog.ts';
export {
  CHINA_VALIDITY,
  EPA_VALIDITY,
  EU_VALIDITY,
  type ValidityRules,
  WHO_VALIDITY,
} from './validity-rules.ts';
