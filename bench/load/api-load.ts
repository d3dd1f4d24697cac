import { summarizeLatencies } from '../bench-stats.ts';

export interface ApiLoadFigures {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Answers per HTTP status ("failed" for requests that got no answer). */
  readonly statuses: ReadonlyMap<string, number>;
}

/**
 * Researchers on the API while devices publish: `clients` concurrent clients, each sending the
 * next request (the paths in turn) as soon as its answer is read. Used by the load bench to show
 * what heavy API work costs the devices' PUBACK latency in the same deployment.
 */
export class ApiLoad {
  readonly #urls: readonly string[];
  readonly #clients: number;
  #running: Promise<void>[] = [];
  #stopped = false;
  #latencies: number[] = [];
  #statuses = new Map<string, number>();
  #since = performance.now();

  constructor(apiUrl: string, paths: readonly string[], clients: number) {
    this.#urls = paths.map((path) => `${apiUrl}${path}`);
    this.#clients = clients;
  }

  start(): void {
    this.#running = Array.from({ length: this.#clients }, (_, i) => this.#client(i));
  }

  async #client(offset: number): Promise<void> {
    for (let n = offset; !this.#stopped; n++) {
      const url = this.#urls[n % this.#urls.length] as string;
      const sent = performance.now();
      let status: string;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
        await response.arrayBuffer();
        status = String(response.status);
      } catch {
        status = 'failed';
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      this.#latencies.push(performance.now() - sent);
      this.#statuses.set(status, (this.#statuses.get(status) ?? 0) + 1);
    }
  }

  /** Figures since the last call (or start). */
  take(): ApiLoadFigures {
    const now = performance.now();
    const latencies = this.#latencies;
    const statuses = this.#statuses;
    const elapsedMs = now - this.#since;
    this.#latencies = [];
    this.#statuses = new Map();
    this.#since = now;
    const summary = summarizeLatencies(latencies);
    return {
      requests: latencies.length,
      perSecond: latencies.length / (elapsedMs / 1000),
      p50Ms: summary.p50,
      p99Ms: summary.p99,
      statuses,
    };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#running);
  }
}

/** The heavy research routes over a seeded range: city series, daily AQI, this year's exceedances. */
export function heavyResearchPaths(city: string, from: number, to: number): string[] {
  const range = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
  return [
    `/v1/series?city=${city}&metric=pm25&every=1h&${range}`,
    `/v1/aqi?city=${city}&standard=eaqi&every=1d&${range}`,
    `/v1/exceedances?city=${city}&standard=eu2008&year=${new Date(to).getUTCFullYear()}`,
  ];
}
