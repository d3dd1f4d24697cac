import { STORE_KINDS, STORE_LABELS } from './bench-figures.ts';
import { type BenchTable, formatCount, formatMs } from './bench-format.ts';
import type { BenchProfile } from './bench-profile.ts';
import type { BenchResources } from './bench-resources.ts';
import { perSecond, summarizeLatencies } from './bench-stats.ts';
import { ApiLoad } from './load/api-load.ts';
import { processCpuMs, watchProcessRss } from './load/process-stats.ts';
import { startService } from './load/service-process.ts';
import { RESEARCH_CITIES, RESEARCH_METRICS, researchMonth, seedResearchMonth } from './research-month.ts';
import { runWrk, wrkAvailable } from './wrk-client.ts';

const USE_WRK = wrkAvailable();

interface Route {
  readonly label: string;
  readonly path: string;
  readonly concurrency: number;
}

/**
 * `npm run bench -- api`: a month of readings (devices × 30 days × every 5 min × 4 metrics) per
 * city written through the store port, then the API started as its own process on that store
 * (as `npm run api` starts it, with the node flags of its package.json script) and driven over real HTTP on loopback: each route
 * by a fixed number of concurrent clients for a while, then a full CSV export. Its own process, not
 * this one: the seeding leaves this process's heap at gigabytes, whose collections are no part of
 * what an API costs.
 */
export async function runApiBench(
  profile: BenchProfile,
  resources: BenchResources,
): Promise<{ table: BenchTable; figures: Record<string, never> }> {
  const { devicesPerCity, days, stepMs, loadBatchSize, durationMs } = profile.api;
  const month = researchMonth({ devicesPerCity, days, stepMs });
  const { from, to, perCity } = month;
  const rows: string[][] = [];
  const notes = [
    USE_WRK
      ? 'clients: wrk in its own process (keep-alive connections)'
      : "clients: fetch from this process (wrk not installed: these clients take CPU from the API on the same cores, so the figures are not comparable with README's; install Debian's wrk)",
    'CPU ms/req: CPU time used while a route was driven, over its requests (with wrk only): API = the API process (DuckDB runs in it), influxd = the server process; on a 2-core machine, c concurrent clients cannot get a p50 below about c × (API + influxd) / 2',
    'API: its own process, as `npm run api` starts it (node, its flags in package.json, tsx, api/main.ts) with API_RATE_LIMIT_MAX=0 and API_HEAVY_QUEUE=64, started once the month is stored (it rebuilds its latest values from the store)',
    `data: ${RESEARCH_CITIES.length} cities × ${devicesPerCity} devices × ${RESEARCH_METRICS.length} metrics × ${days} days every ${stepMs / 60_000} min = ${formatCount(perCity * RESEARCH_CITIES.length)} readings per store`,
  ];
  const range = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
  const year = new Date(to).getUTCFullYear();
  const routes: Route[] = [
    { label: 'latest nice (all devices)', path: '/v1/latest?city=nice', concurrency: 8 },
    {
      label: `series pm25 1h ${days} d`,
      path: `/v1/series?city=nice&metric=pm25&every=1h&${range}`,
      concurrency: 2,
    },
    {
      label: `series pm25 1d ${days} d`,
      path: `/v1/series?city=nice&metric=pm25&every=1d&${range}`,
      concurrency: 2,
    },
    {
      label: `aqi eaqi 1d ${days} d`,
      path: `/v1/aqi?city=nice&standard=eaqi&every=1d&${range}`,
      concurrency: 2,
    },
    {
      label: `exceedances eu2008 ${year}`,
      path: `/v1/exceedances?city=nice&standard=eu2008&year=${year}`,
      concurrency: 2,
    },
    // After the four above: healthzUnderLoad drives routes[4] (exceedances).
    // Percentiles read every raw reading (no rollups): the costliest series.
    ...(['p50', 'p90', 'p95', 'p98'] as const).map((agg) => ({
      label: `series pm25 1d ${agg} ${days} d`,
      path: `/v1/series?city=nice&metric=pm25&every=1d&agg=${agg}&${range}`,
      concurrency: 2,
    })),
    {
      label: `series pm25 1d coverage ${days} d`,
      path: `/v1/series?city=nice&metric=pm25&every=1d&include=coverage&${range}`,
      concurrency: 2,
    },
  ];
  for (const kind of STORE_KINDS) {
    const name = `api_${kind}`;
    const store = await resources.openStore(kind, name);
    try {
      const loadStarted = performance.now();
      // As a writing process does: /v1/aqi reads the index series the maintainer stores.
      const index = await seedResearchMonth(store, month, loadBatchSize);
      const loadMs = performance.now() - loadStarted - (index?.ms ?? 0);
      notes.push(
        `${STORE_LABELS[kind]}: loaded in ${(loadMs / 1000).toFixed(1)} s (${formatCount(perSecond(perCity * 2, loadMs))} readings/s)`,
      );
      if (index !== undefined)
        notes.push(
          index.error === undefined
            ? `${STORE_LABELS[kind]}: hours rolled up, index series of the month computed and stored in ${(index.ms / 1000).toFixed(1)} s (${formatCount(index.rows ?? 0)} rows)`
            : `${STORE_LABELS[kind]}: index series not stored (${index.error}): /v1/aqi computes`,
        );
    } finally {
      // The embedded store's file is the API process's to open.
      await store.close();
    }
    const api = await startService({
      name: 'api',
      entry: 'api/main.ts',
      env: {
        ...(await resources.storeEnv(kind, name)),
        API_PORT: '0',
        BIND_HOST: '127.0.0.1',
        CITIES_FILE: '',
        API_RATE_LIMIT_MAX: '0',
        API_HEAVY_QUEUE: '64',
      },
      readyLog: /API listening/,
      startTimeoutMs: 300_000,
    });
    try {
      const base = String(api.readyLine.api);
      const pids = { api: api.pid, influxd: kind === 'influxdb' ? await resources.influxdPid() : undefined };
      const waitedMs = await waitUntilIdle([pids.api, pids.influxd]);
      notes.push(
        `${STORE_LABELS[kind]}: routes driven after the API and the store's server were idle (under ${IDLE_SHARE * 100} % of a core for ${IDLE_WINDOW_MS / 1000} s): ${(waitedMs / 1000).toFixed(0)} s after the API started`,
      );
      const rss = watchProcessRss(api.pid);
      for (const route of routes)
        rows.push([STORE_LABELS[kind], route.label, ...(await drive(base, route, durationMs, pids))]);
      rows.push([
        STORE_LABELS[kind],
        'healthz while 20 exceedances run',
        ...(await healthzUnderLoad(base, routes[4] as Route, durationMs)),
      ]);
      const exported = await exportCsv(`${base}/v1/readings?city=nice&metric=pm25&format=csv&${range}`);
      const peakBytes = await rss.stop();
      rows.push([
        STORE_LABELS[kind],
        `export csv nice pm25 ${days} d`,
        '1',
        formatCount(exported.rowsPerSec),
        formatMs(exported.ms),
        '',
        '',
        '',
        `${formatCount(exported.rows)} rows`,
      ]);
      notes.push(
        `${STORE_LABELS[kind]}: API process peak RSS while serving ${Math.round(peakBytes / 2 ** 20)} MiB`,
      );
    } finally {
      await api.stop();
    }
  }
  return {
    table: {
      title: 'API over a month of readings: requests per second and latency per route (loopback HTTP)',
      columns: [
        'store',
        'route',
        'clients',
        'req/s',
        'p50 ms',
        'p99 ms',
        'API CPU ms/req',
        'influxd CPU ms/req',
        'answers',
      ],
      textColumns: 2,
      rows,
      notes,
    },
    figures: {},
  };
}

/**
 * `concurrency` clients, each sending the next request when its answer is read, for `durationMs`:
 * wrk in its own process when installed, otherwise fetch from this process (which then shares the
 * event loop with nothing else: said in the notes). With wrk, also the CPU time each
 * request cost the API process and influxd: what a 2-core machine can serve at most, however
 * busy it is with other work while measured.
 */
async function drive(
  base: string,
  route: Route,
  durationMs: number,
  pids: { readonly api: number; readonly influxd: number | undefined },
): Promise<string[]> {
  const url = `${base}${route.path}`;
  await (await fetch(url)).arrayBuffer();
  if (USE_WRK) {
    const [api, influxd] = await Promise.all([processCpuMs(pids.api), processCpuMs(pids.influxd)]);
    const result = await runWrk(url, route.concurrency, durationMs);
    const perRequest = (before: number | undefined, after: number | undefined) =>
      before === undefined || after === undefined || result.requests === 0
        ? ''
        : formatMs((after - before) / result.requests);
    return [
      String(route.concurrency),
      formatCount(result.perSecond),
      formatMs(result.p50Ms),
      formatMs(result.p99Ms),
      perRequest(api, await processCpuMs(pids.api)),
      perRequest(influxd, await processCpuMs(pids.influxd)),
      `${formatCount(result.requests - result.failed)} ok${result.failed > 0 ? `, ${formatCount(result.failed)} failed` : ''}`,
    ];
  }
  const load = new ApiLoad(base, [route.path], route.concurrency);
  load.start();
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  await load.stop();
  const figures = load.take();
  return [
    String(route.concurrency),
    formatCount(figures.perSecond),
    formatMs(figures.p50Ms),
    formatMs(figures.p99Ms),
    '',
    '',
    [...figures.statuses].map(([status, n]) => `${n}×${status}`).join(' '),
  ];
}

/**
 * /healthz latency while 20 heavy requests are in flight (they queue behind the concurrency limit).
 * With wrk: 20 clients keep the heavy route busy while one more asks /healthz back to back, both
 * from their own processes, so the percentiles come from thousands of probes and no pause of this
 * process's heap counts as the server's. Without wrk: 20 fetches and a probe every 20 ms.
 */
async function healthzUnderLoad(base: string, heavy: Route, durationMs: number): Promise<string[]> {
  if (USE_WRK) {
    const busy = runWrk(`${base}${heavy.path}`, HEAVY_CLIENTS, durationMs + 2_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const probes = await runWrk(`${base}/healthz`, 1, durationMs);
    const served = await busy;
    return [
      '1',
      '',
      formatMs(probes.p50Ms),
      formatMs(probes.p99Ms),
      '',
      '',
      `${formatCount(probes.requests)} probes; ${formatCount(served.requests - served.failed)} heavy ok${served.failed > 0 ? `, ${formatCount(served.failed)} failed` : ''}`,
    ];
  }
  const inFlight = Array.from({ length: HEAVY_CLIENTS }, () =>
    fetch(`${base}${heavy.path}`).then((r) => r.arrayBuffer()),
  );
  const latencies: number[] = [];
  let settled = false;
  const all = Promise.allSettled(inFlight).then(() => {
    settled = true;
  });
  while (!settled || latencies.length < 5) {
    const sent = performance.now();
    await (await fetch(`${base}/healthz`)).arrayBuffer();
    latencies.push(performance.now() - sent);
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (latencies.length > 2000) break;
  }
  await all;
  const summary = summarizeLatencies(latencies);
  return ['1', '', formatMs(summary.p50), formatMs(summary.p99), '', '', `${latencies.length} probes`];
}

/** The issue's abuse case: /healthz must answer while this many heavy requests run. */
const HEAVY_CLIENTS = 20;

async function exportCsv(url: string): Promise<{ rows: number; ms: number; rowsPerSec: number }> {
  const started = performance.now();
  const response = await fetch(url);
  let lines = 0;
  const reader = response.body?.getReader();
  for (;;) {
    const chunk = await reader?.read();
    if (chunk === undefined || chunk.done) break;
    for (const byte of chunk.value) if (byte === 10) lines += 1;
  }
  const ms = performance.now() - started;
  return { rows: lines - 1, ms, rowsPerSec: perSecond(lines - 1, ms) };
}

const IDLE_WINDOW_MS = 2_000;
const IDLE_SHARE = 0.05;
const MAX_IDLE_WAIT_MS = 180_000;

/**
 * Waits until every process in `pids` has used under IDLE_SHARE of a core for IDLE_WINDOW_MS (the
 * API loading its latest values; influxd compacting the month just written, which otherwise takes
 * the machine's cores from the first routes measured), or MAX_IDLE_WAIT_MS; returns the time waited.
 */
async function waitUntilIdle(pids: readonly (number | undefined)[]): Promise<number> {
  const started = performance.now();
  for (;;) {
    const before = await Promise.all(pids.map(processCpuMs));
    await new Promise((resolve) => setTimeout(resolve, IDLE_WINDOW_MS));
    const after = await Promise.all(pids.map(processCpuMs));
    const busy = pids.some((_, i) => {
      const [was, now] = [before[i], after[i]];
      return was !== undefined && now !== undefined && now - was > IDLE_SHARE * IDLE_WINDOW_MS;
    });
    const waited = performance.now() - started;
    if (!busy || waited >= MAX_IDLE_WAIT_MS) return waited;
  }
}
