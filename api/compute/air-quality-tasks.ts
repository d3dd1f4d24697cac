import {
  type AssessExceedancesInput,
  assessExceedances,
  computeIndexSeries,
  type ExceedanceReport,
  type IndexPoint,
  type IndexSeriesInput,
} from '../../domain/air-quality/index.ts';

/** The CPU-heavy air-quality calculations, by name, as a worker thread runs them. */
export interface AirQualityTasks {
  indexSeries(input: IndexSeriesInput): IndexPoint[];
  exceedances(input: AssessExceedancesInput): ExceedanceReport;
}

export type TaskName = keyof AirQualityTasks;

export const AIR_QUALITY_TASKS: AirQualityTasks = {
  indexSeries: computeIndexSeries,
  exceedances: assessExceedances,
};

export interface TaskRequest {
  readonly id: number;
  readonly task: TaskName;
  readonly input: unknown;
}

export type TaskAnswer =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly code?: string; readonly message: string };
