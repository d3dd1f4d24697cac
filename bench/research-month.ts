import type { MetricId } from '../domain/metrics.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import { deviceIdsFor, gridReadings, gridReadingsPerStep, type ReadingGrid } from './synthetic-readings.ts';

const DAY_MS = 86_400_000;
export const RESEARCH_METRICS: readonly MetricId[] = ['pm25', 'pm10', 'no2', 'temperature'];
export const RESEARCH_CITIES = ['nice', 'zhengzhou'] as const;

/**
 * The research data set of the API issue: per city `devicesPerCity` devices × 4 metrics, one
 * reading every `stepMs` over the `days` before `to` (a whole hour). Device ids `<city>-bench-NNN`.
 */
export interface ResearchMonth {
  readonly from: number;
  readonly to: number;
  readonly grids: readonly ReadingGrid[];
  /** Readings per city. */
  readonly perCity: number;
}

export function researchMonth(options: {
  readonly devicesPerCity: number;
  readonly days: number;
  readonly stepMs: number;
  readonly to?: number;
}): ResearchMonth {
  const to = options.to ?? Math.floor(Date.now() / 3_600_000) * 3_600_000;
  const from = to - options.days * DAY_MS;
  const grids = RESEARCH_CITIES.map((city) => ({
    city,
    deviceIds: deviceIdsFor(`${city}-bench`, options.devicesPerCity),
    metrics: RESEARCH_METRICS,
    startTs: from,
    stepMs: options.stepMs,
  }));
  const perCity = ((options.days * DAY_MS) / options.stepMs) * gridReadingsPerStep(grids[0] as ReadingGrid);
  return { from, to, grids, perCity };
}

/** Writes the whole data set through the store port, `batchSize` readings per call; progress per city. */
export async function writeResearchMonth(
  store: TimeSeriesStore,
  month: ResearchMonth,
  batchSize: number,
  onCity: (city: string, readings: number, ms: number) => void = () => {},
): Promise<void> {
  for (const grid of month.grids) {
    const started = performance.now();
    for (let i = 0; i < month.perCity; i += batchSize)
      await store.writeReadings(gridReadings(grid, i, Math.min(batchSize, month.perCity - i)));
    onCity(grid.city, month.perCity, performance.now() - started);
  }
}
