import { homeLimitStandards, tableLimits } from '../dashboards/air-quality-dashboard.ts';
import { exceedanceQuery } from '../dashboards/influxql.ts';
import { LIMIT_STANDARDS } from '../domain/air-quality/limit-values.ts';
import { DEFAULT_CITIES } from '../domain/cities.ts';
import type { MetricId } from '../domain/metrics.ts';
import type { BenchFigures } from './bench-figures.ts';
import { type BenchTable, formatCount, formatMs } from './bench-format.ts';
import type { BenchProfile } from './bench-profile.ts';
import type { BenchResources } from './bench-resources.ts';
import { perSecond, summarizeLatencies } from './bench-stats.ts';
import { deviceIdsFor, gridReadings, gridReadingsPerStep, type ReadingGrid } from './synthetic-readings.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MIN_RUNS = 3;

/**
 * The exceedance table of a city's air-quality dashboard (one InfluxQL query per limit, each over
 * the year so far) on a year of readings in InfluxDB 1.x, as Grafana sends them with `now/y`.
 */
export async function runPanelBench(
  profile: BenchProfile,
  resources: BenchResources,
): Promise<{ table: BenchTable; figures: BenchFigures }> {
  const { devices, days, stepMs, loadBatchSize, runs, budgetMs } = profile.panels;
  const city = DEFAULT_CITIES.find((c) => c.id === 'nice') ?? DEFAULT_CITIES[0];
  if (!city) throw new Error('no city to bench');
  const to = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const from = to - days * DAY_MS;
  const year = new Date(to).getUTCFullYear();
  const limits = homeLimitStandards(city).flatMap((standard) =>
    tableLimits(standard, year).map((limit) => ({ standard, limit })),
  );
  const metrics = [...new Set(limits.map((l) => l.limit.metric))] as MetricId[];
  const grid: ReadingGrid = {
    city: city.id,
    deviceIds: deviceIdsFor('bench-p', devices),
    metrics,
    startTs: from,
    stepMs,
  };
  const total = ((days * DAY_MS) / stepMs) * gridReadingsPerStep(grid);
  const store = await resources.openStore('influxdb', 'panels');
  const rows: string[][] = [];
  let loadMs = 0;
  try {
    for (let i = 0; i < total; i += loadBatchSize) {
      const batch = gridReadings(grid, i, Math.min(loadBatchSize, total - i));
      const started = performance.now();
      await store.writeReadings(batch);
      loadMs += performance.now() - started;
    }
    const url = await resources.influxUrl();
    const timeFilter = `time >= ${from}ms and time <= ${to}ms`;
    const panelTotals: number[] = [];
    for (const { standard, limit } of limits) {
      const q = exceedanceQuery(city.id, city.timeZone, limit).replaceAll('$timeFilter', timeFilter);
      const run = async () => {
        const params = new URLSearchParams({ db: 'bench_panels', q, epoch: 'ms' });
        const response = await fetch(`${url}/query?${params}`, { method: 'POST' });
        const body = (await response.json()) as {
          results?: { error?: string; series?: { columns: string[]; values: unknown[][] }[] }[];
        };
        const result = body.results?.[0];
        if (result?.error) throw new Error(`${result.error}: ${q}`);
        const series = result?.series?.[0];
        const row = Object.fromEntries((series?.columns ?? []).map((c, k) => [c, series?.values[0]?.[k]]));
        return `so far ${row.so_far}, valid ${row.valid}/${row.periods}`;
      };
      const answer = await run();
      const latencies: number[] = [];
      const deadline = performance.now() + budgetMs;
      for (let k = 0; k < runs && (k < MIN_RUNS || performance.now() < deadline); k++) {
        const started = performance.now();
        await run();
        latencies.push(performance.now() - started);
      }
      const latency = summarizeLatencies(latencies);
      panelTotals.push(latency.p50);
      rows.push([
        `${LIMIT_STANDARDS[standard].id} ${limit.metric} ${limit.averaging} > ${limit.value}`,
        answer,
        String(latency.count),
        formatMs(latency.p50),
        formatMs(latency.p95),
        formatMs(latency.max),
      ]);
    }
    rows.push([
      'all limits, one after another (a dashboard load)',
      `${limits.length} queries`,
      '',
      formatMs(panelTotals.reduce((a, b) => a + b, 0)),
      '',
      '',
    ]);
  } finally {
    await store.close();
  }
  return {
    table: {
      title: `Exceedance table queries (${city.name}): a year so far per limit, InfluxDB 1.x`,
      columns: ['limit', 'answer', 'runs', 'p50 ms', 'p95 ms', 'max ms'],
      textColumns: 2,
      rows,
      notes: [
        `data: ${devices} devices × ${metrics.length} pollutants × ${days} days every ${stepMs / 60_000} min = ${formatCount(total)} readings, loaded in ${(loadMs / 1000).toFixed(1)} s (${formatCount(perSecond(total, loadMs))} readings/s)`,
        'the last row is the sum of the medians: the time to fill the table when its queries run one after another',
      ],
    },
    figures: {},
  };
}
