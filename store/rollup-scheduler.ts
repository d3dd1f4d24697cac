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
  /**
   * Touched groups not rolled up since, by city, device, metric and hour (nested maps: no string is
   * built per reading); the value is the touch count, bumped by every touch, so a group touched
   * again while its refresh runs stays due.
   */
  readonly #dirty = new Map<string, Map<string, Map<string, Map<number, number>>>>();
  #touches = 0;
  /** Oldest hour with a touched group (Infinity: none); undefined after a refresh until recomputed. */
  #oldestDirty: number | undefined = Number.POSITIVE_INFINITY;
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
    this.#touches += 1;
    for (const r of readings) {
      const hours = child(child(child(this.#dirty, r.city), r.deviceId), r.metric);
      const hour = Math.floor(r.ts / HOUR_MS) * HOUR_MS;
      hours.set(hour, this.#touches);
      if (this.#oldestDirty !== undefined && hour < this.#oldestDirty) this.#oldestDirty = hour;
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
    const from = Math.floor((this.#now() - this.#settleMs - interval) / HOUR_MS) * HOUR_MS;
    // Every series query asks: walk the touched groups only after a refresh removed some.
    if (this.#oldestDirty === undefined) {
      this.#oldestDirty = Number.POSITIVE_INFINITY;
      for (const { key } of this.#groups()) this.#oldestDirty = Math.min(this.#oldestDirty, key.hour);
    }
    return Math.min(from, this.#oldestDirty);
  }

  /** Rolls up every touched group whose hour has settled (all of them with `everything`). */
  flush(everything = false): Promise<void> {
    const run = this.#running.then(() => this.#refresh(everything));
    this.#running = run.catch((error: unknown) => this.#o.onError?.(error));
    return run;
  }

  /** Runs other rollup maintenance (the raw retention) between refreshes, never alongside one. */
  exclusive(work: () => Promise<void>): Promise<void> {
    const run = this.#running.then(work);
    this.#running = run.catch(() => undefined);
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
    const due = [...this.#groups()].filter((g) => everything || g.key.hour <= settledBefore);
    if (due.length === 0) return;
    await this.#o.refresh(due.map((g) => g.key));
    this.#oldestDirty = undefined;
    for (const { key, touch } of due) {
      const devices = this.#dirty.get(key.city);
      const metrics = devices?.get(key.deviceId);
      const hours = metrics?.get(key.metric);
      if (hours?.get(key.hour) !== touch) continue; // touched again meanwhile: still due
      hours.delete(key.hour);
      if (hours.size === 0) metrics?.delete(key.metric);
      if (metrics?.size === 0) devices?.delete(key.deviceId);
      if (devices?.size === 0) this.#dirty.delete(key.city);
    }
  }

  *#groups(): Generator<{ key: HourKey; touch: number }> {
    for (const [city, devices] of this.#dirty)
      for (const [deviceId, metrics] of devices)
        for (const [metric, hours] of metrics)
          for (const [hour, touch] of hours) yield { key: { city, deviceId, metric, hour }, touch };
  }
}

function child<K, V>(map: Map<K, Map<string, V>>, key: K): Map<string, V>;
function child<K>(map: Map<K, Map<number, number>>, key: K): Map<number, number>;
function child<K, V>(map: Map<K, Map<unknown, V>>, key: K): Map<unknown, V> {
  let found = map.get(key);
  if (found === undefined) {
    found = new Map();
    map.set(key, found);
  }
  return found;
}
