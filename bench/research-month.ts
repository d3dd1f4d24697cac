import { createIndexSeriesMaintainer } from '../aqi/index-series-maintainer.ts';
import { withIndexSeries } from '../aqi/index-series-store.ts';
import { CityCatalog, DEFAULT_CITIES } from '../domain/cities.ts';
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

/** How the index series of a seeded month were stored (absent when the store keeps none). */
export interface SeededIndexSeries {
  readonly ms: number;
  readonly rows?: number;
  readonly error?: string;
}

/**
 * The data set written as a writing process writes it: the index-series maintainer notes the
 * readings; then the hours are rolled up and the index series of every touched day computed and
 * stored once (timed), so /v1/aqi and Grafana read stored series as after a month of running.
 */
export async function seedResearchMonth(
  store: TimeSeriesStore,
  month: ResearchMonth,
  batchSize: number,
  onCity?: (city: string, readings: number, ms: number) => void,
): Promise<SeededIndexSeries | undefined> {
  const maintainer =
    store.indexSeries === undefined
      ? undefined
      : createIndexSeriesMaintainer({
          store,
          sink: store.indexSeries,
          cities: new CityCatalog(DEFAULT_CITIES),
        });
  await writeResearchMonth(
    maintainer === undefined ? store : withIndexSeries(store, maintainer),
    month,
    batchSize,
    onCity,
  );
  const started = performance.now();
  await store.rollUp();
  if (maintainer === undefined) return undefined;
  try {
    const flushed = await maintainer.flush();
    return { ms: performance.now() - started, rows: flushed.rows };
  } catch (error) {
    return { ms: performance.now() - started, error: String(error) };
  }
}
