import { METRIC_IDS } from '../domain/metrics.ts';
import type { SeriesQuery, TimeSeriesStore } from '../store/time-series-store.ts';
import {
  type BenchFigures,
  QUERY_NAMES,
  type QueryName,
  STORE_KINDS,
  STORE_LABELS,
  type StoreKind,
} from './bench-figures.ts';
import { type BenchTable, formatCount, formatMs } from './bench-format.ts';
import type { BenchProfile } from './bench-profile.ts';
import type { BenchResources } from './bench-resources.ts';
import { type LatencySummary, perSecond, summarizeLatencies } from './bench-stats.ts';
import { deviceIdsFor, gridReadings, gridReadingsPerStep, type ReadingGrid } from './synthetic-readings.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const CITY = 'nice';
const TIME_ZONE = 'Europe/Paris';
const MIN_RUNS = 3;

interface BenchQuery {
  readonly name: QueryName;
  readonly label: string;
  /** Runs the query once; returns a short description of the answer, compared across stores. */
  run(store: TimeSeriesStore): Promise<string>;
}

/** The API's three read paths over a loaded week: latest values, hourly and local-daily series. */
function benchQueries(from: number, to: number): BenchQuery[] {
  const series = (everyMs: number): Omit<SeriesQuery, 'agg'> => ({
    city: CITY,
    metric: 'pm25',
    from,
    to,
    everyMs,
    timeZone: TIME_ZONE,
  });
  const describeSeries = (result: Awaited<ReturnType<TimeSeriesStore['series']>>) =>
    `${result.length} series, ${formatCount(result.reduce((n, s) => n + s.points.length, 0))} points`;
  return [
    {
      name: 'latest',
      label: `latest: every device × metric of ${CITY}`,
      run: async (store) => `${(await store.latest({ city: CITY })).length} values`,
    },
    {
      name: 'series-1h',
      label: 'series: pm25 mean, 1 h buckets, 7 days, all devices',
      run: async (store) => describeSeries(await store.series({ ...series(HOUR_MS), agg: 'mean' })),
    },
    {
      name: 'series-1d',
      label: `series: pm25 mean, 1 local day (${TIME_ZONE}), 7 days`,
      run: async (store) => describeSeries(await store.series({ ...series(DAY_MS), agg: 'mean' })),
    },
  ];
}

export async function runQueryBench(
  profile: BenchProfile,
  resources: BenchResources,
): Promise<{ table: BenchTable; figures: BenchFigures }> {
  const { devices, days, stepMs } = profile.queries;
  const to = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const from = to - days * DAY_MS;
  const grid: ReadingGrid = {
    city: CITY,
    deviceIds: deviceIdsFor('bench-q', devices),
    metrics: METRIC_IDS,
    startTs: from,
    stepMs,
  };
  const total = ((days * DAY_MS) / stepMs) * gridReadingsPerStep(grid);
  const queries = benchQueries(from, to);
  const rows: string[][] = [];
  const notes: string[] = [];
  const answers = new Map<QueryName, Set<string>>(QUERY_NAMES.map((name) => [name, new Set<string>()]));
  const results: Partial<Record<StoreKind, Partial<Record<QueryName, LatencySummary>>>> = {};
  for (const kind of STORE_KINDS) {
    const store = await resources.openStore(kind, 'queries');
    try {
      const loadMs = await load(store, grid, total, profile.queries.loadBatchSize);
      notes.push(
        `${STORE_LABELS[kind]}: loaded ${formatCount(total)} readings in ${(loadMs / 1000).toFixed(1)} s (${formatCount(perSecond(total, loadMs))} readings/s)`,
      );
      const byQuery: Partial<Record<QueryName, LatencySummary>> = {};
      results[kind] = byQuery;
      for (const query of queries) {
        const { latency, answer } = await timeQuery(store, query, profile.queries);
        byQuery[query.name] = latency;
        answers.get(query.name)?.add(answer);
        rows.push(queryRow(kind, query, answer, latency));
      }
    } finally {
      await store.close();
    }
  }
  notes.unshift(
    `data: ${devices} devices × ${METRIC_IDS.length} metrics × ${days} days every ${stepMs / 60_000} min = ${formatCount(total)} readings per store`,
  );
  for (const [name, seen] of answers) {
    if (seen.size > 1)
      notes.push(`WARNING: the stores answered ${name} differently: ${[...seen].join(' vs ')}`);
  }
  return {
    table: {
      title: 'Store queries: latency after loading a week of readings (1 warm-up run, then timed runs)',
      columns: ['store', 'query', 'answer', 'runs', 'p50 ms', 'p95 ms', 'max ms'],
      textColumns: 3,
      rows,
      notes,
    },
    figures: { queries: results },
  };
}

async function load(
  store: TimeSeriesStore,
  grid: ReadingGrid,
  total: number,
  batchSize: number,
): Promise<number> {
  let elapsed = 0;
  for (let from = 0; from < total; from += batchSize) {
    const readings = gridReadings(grid, from, Math.min(batchSize, total - from));
    const started = performance.now();
    await store.writeReadings(readings);
    elapsed += performance.now() - started;
  }
  return elapsed;
}

/** Up to `runs` timed runs, stopping early (after at least MIN_RUNS) once the time budget is spent. */
async function timeQuery(
  store: TimeSeriesStore,
  query: BenchQuery,
  { runs, budgetMs }: BenchProfile['queries'],
): Promise<{ latency: LatencySummary; answer: string }> {
  const answer = await query.run(store);
  const latencies: number[] = [];
  const deadline = performance.now() + budgetMs;
  for (let i = 0; i < runs && (i < MIN_RUNS || performance.now() < deadline); i++) {
    const started = performance.now();
    await query.run(store);
    latencies.push(performance.now() - started);
  }
  return { latency: summarizeLatencies(latencies), answer };
}

function queryRow(kind: StoreKind, query: BenchQuery, answer: string, latency: LatencySummary): string[] {
  return [
    STORE_LABELS[kind],
    query.label,
    answer,
    formatCount(latency.count),
    formatMs(latency.p50),
    formatMs(latency.p95),
    formatMs(latency.max),
  ];
}
