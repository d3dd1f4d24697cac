import { z } from 'zod';
import type { PublishSample } from './fleet-protocol.ts';
import { COUNTED_METRIC } from './stored-counts.ts';

const latestSchema = z.object({ values: z.array(z.object({ deviceId: z.string(), ts: z.string() })) });

/**
 * Publish→queryable latency without a request per message: sampled messages wait per device, and
 * GET /v1/latest?city=…&metric=pm25 (one request per city, every pollMs) tells for every device
 * the newest stored ts; a sample is queryable once that ts reaches it (a device's ts only grow).
 * Resolution is the poll interval; the polls add a little load to the API being measured.
 */
export class QueryableProbe {
  readonly #apiUrl: string;
  readonly #cities: readonly string[];
  readonly #pending = new Map<string, PublishSample[]>();
  #latencies: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  #errors = 0;

  constructor(apiUrl: string, cities: readonly string[]) {
    this.#apiUrl = apiUrl;
    this.#cities = cities;
  }

  readonly add = (sample: PublishSample): void => {
    const queue = this.#pending.get(sample.deviceId);
    if (queue === undefined) this.#pending.set(sample.deviceId, [sample]);
    else queue.push(sample);
  };

  start(pollMs = 200): void {
    this.#timer ??= setInterval(() => void this.#poll(), pollMs);
  }

  /** Stops polling; samples still pending stay pending (see pending()). */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Latencies (ms) measured since the last call, and forgets them. */
  take(): number[] {
    const taken = this.#latencies;
    this.#latencies = [];
    return taken;
  }

  pending(): number {
    let count = 0;
    for (const queue of this.#pending.values()) count += queue.length;
    return count;
  }

  /** Polls that failed (the API down or refusing); a restart in a fault test shows here. */
  errors(): number {
    return this.#errors;
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#pending.size === 0) return;
    this.#polling = true;
    try {
      await Promise.all(this.#cities.map((city) => this.#pollCity(city)));
    } finally {
      this.#polling = false;
    }
  }

  async #pollCity(city: string): Promise<void> {
    let body: z.infer<typeof latestSchema>;
    try {
      const query = new URLSearchParams({ city, metric: COUNTED_METRIC });
      const response = await fetch(`${this.#apiUrl}/v1/latest?${query}`);
      if (!response.ok) throw new Error(`status ${response.status}`);
      body = latestSchema.parse(await response.json());
    } catch {
      this.#errors += 1;
      return;
    }
    const seenAt = performance.timeOrigin + performance.now();
    for (const { deviceId, ts } of body.values) {
      const queue = this.#pending.get(deviceId);
      if (queue === undefined) continue;
      const newest = Date.parse(ts);
      let done = 0;
      while (done < queue.length && (queue[done] as PublishSample).ts <= newest) {
        this.#latencies.push(seenAt - (queue[done] as PublishSample).sentAt);
        done += 1;
      }
      if (done === queue.length) this.#pending.delete(deviceId);
      else if (done > 0) queue.splice(0, done);
    }
  }
}
