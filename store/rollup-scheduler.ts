import type { Reading } from '../domain/reading.ts';
import { HOUR_MS, type HourKey } from './rollup-plan.ts';

export interface RollupSchedulerOptions {
  /** Recomputes the rollups of these (city, device, metric, hour) groups from the raw readings. */
  readonly refresh: (keys: readonly HourKey[]) => Promise<void>;
  /** How often settled, touched hours are rolled up (default ROLLUP_REFRESH_MS). */
  readonly intervalMs?: number;
  /** How long after its end an hour is left to late readings before it is rolled up (default ROLLUP_SETTLE_MS). */
  readonly settleMs?: number;
  readonly now?: () => number;
  /** Told when a refresh fails (it is tried again at the next interval). */
  readonly onError?: (error: unknown) => void;
}

export const ROLLUP_REFRESH_MS = 10_000;
export const ROLLUP_SETTLE_MS = 60_000;

/**
 * Keeps hourly rollups off the write path. Recomputing the touched hours on every write scanned the
 * whole current hour per batch: quadratic in the hour's size, hundreds of times a second under load.
 * Instead a write only notes the groups it touched; each hour is rolled up once it has ended and
 * settled, and again whenever a late reading touches it. Until then its groups are "stale" and
 * series read that hour from the raw readings, so every answer is exact.
 */
export class RollupScheduler {
  readonly #o: RollupSchedulerOptions;
  readonly #settleMs: number;
  readonly #now: () => number;
  /** Touched groups not rolled up since; the value is bumped by every touch (a touch during a refresh keeps it dirty). */
  readonly #dirty = new Map<string, { key: HourKey; touch: number }>();
  #touches = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: RollupSchedulerOptions) {
    this.#o = options;
    this.#settleMs = options.settleMs ?? ROLLUP_SETTLE_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Notes the groups a write touched (after it is durable). Starts the periodic refresh on first use. */
  touched(readings: readonly Reading[]): void {
    let lastGroup = '';
    for (const r of readings) {
      const hour = Math.floor(r.ts / HOUR_MS) * HOUR_MS;
      const id = `${r.city}\u0000${r.deviceId}\u0000${r.metric}\u0000${hour}`;
      if (id === lastGroup) continue;
      lastGroup = id;
      this.#touches += 1;
      const known = this.#dirty.get(id);
      if (known) known.touch = this.#touches;
      else
        this.#dirty.set(id, {
          key: { city: r.city, deviceId: r.deviceId, metric: r.metric, hour },
          touch: this.#touches,
        });
    }
    if (this.#timer === undefined && !this.#closed) {
      this.#timer = setInterval(() => void this.flush(), this.#o.intervalMs ?? ROLLUP_REFRESH_MS);
      this.#timer.unref();
    }
  }

  /**
   * Series read rollups only for hours before this (epoch ms, an hour start): the first hour with a
   * touched group not rolled up yet, or the first hour that has not settled.
   */
  staleFrom(): number {
    // Another process may be the writer (an API next to ingest): allow it one interval to refresh.
    const interval = this.#o.intervalMs ?? ROLLUP_REFRESH_MS;
    let from = Math.floor((this.#now() - this.#settleMs - interval) / HOUR_MS) * HOUR_MS;
    for (const { key } of this.#dirty.values()) if (key.hour < from) from = key.hour;
    return from;
  }

  /** Rolls up every touched group whose hour has settled (all of them with `everything`). */
  flush(everything = false): Promise<void> {
    const run = this.#running.then(() => this.#refresh(everything));
    this.#running = run.catch((error: unknown) => this.#o.onError?.(error));
    return run;
  }

  /** Stops the timer and rolls up everything touched, settled or not (a restart starts with nothing noted). */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.flush(true).catch(() => undefined);
  }

  async #refresh(everything: boolean): Promise<void> {
    const settledBefore = this.#now() - this.#settleMs - HOUR_MS;
    // The touch count as it is now: a group touched again while the refresh runs stays due.
    const due = [...this.#dirty.entries()]
      .filter(([, d]) => everything || d.key.hour <= settledBefore)
      .map(([id, d]) => ({ id, key: d.key, touch: d.touch }));
    if (due.length === 0) return;
    await this.#o.refresh(due.map((d) => d.key));
    for (const d of due) if (this.#dirty.get(d.id)?.touch === d.touch) this.#dirty.delete(d.id);
  }
}
