import type { Reading } from '../domain/reading.ts';
import type { Logger } from '../platform/logger.ts';
import type { LatestQuery, LatestValue, TimeSeriesStore } from './time-series-store.ts';

export interface LatestCacheOptions {
  /** Cities whose latest values are loaded at start and refreshed. */
  readonly cities: readonly string[];
  /**
   * How often to ask the store for readings written by other processes (a separate ingest
   * service); 0 = never, for a process whose every write goes through this store object.
   */
  readonly refreshMs: number;
  readonly logger?: Logger;
  readonly now?: () => number;
}

export interface CachedStore extends TimeSeriesStore {
  /**
   * Settles once the first load was tried (it never rejects: failures are logged and retried).
   * latest() waits for it; after a failed first load it asks the store until a retry succeeds.
   */
  readonly loaded: Promise<void>;
}

/**
 * Refreshes look back this far before the previous refresh began: a reading that reached the store
 * late (ingest batches, InfluxDB's write path) is still picked up by the next refresh.
 */
const REFRESH_OVERLAP_MS = 60_000;
/** Distinct latest() queries kept (city × metric × device asked for). */
const MAX_KEPT_ANSWERS = 10_000;
/** A first load that failed (store down at start) is tried again this often. */
const RETRY_LOAD_MS = 5_000;

/**
 * The latest value of every device and metric, kept in memory so /v1/latest never scans the store.
 * Readings written through this object update it when the write has succeeded; at start every
 * city's latest values are read once; with `refreshMs`, a cheap query for readings since the last
 * refresh picks up what other processes wrote. Staleness for another process's writes: at most
 * `refreshMs` plus the time of one refresh query.
 */
export function withLatestCache(store: TimeSeriesStore, options: LatestCacheOptions): CachedStore {
  const values = new Map<string, LatestValue>();
  // Answers are kept per query until a value of their city changes, and returned as the same
  // array: callers (the /v1/latest route) can keep what they built from it.
  const versions = new Map<string, number>();
  const answers = new Map<string, { version: number; values: LatestValue[] }>();
  const now = options.now ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;
  let closed = false;

  const remember = (value: LatestValue): void => {
    const key = `${value.city}\u0000${value.deviceId}\u0000${value.metric}`;
    const known = values.get(key);
    if (known === undefined || value.ts >= known.ts) {
      values.set(key, value);
      versions.set(value.city, (versions.get(value.city) ?? 0) + 1);
    }
  };

  const load = async (since?: number): Promise<void> => {
    for (const city of options.cities) {
      const found = await store.latest({ city, ...(since === undefined ? {} : { since }) });
      for (const value of found) remember(value);
    }
  };

  // Until the first full load has succeeded (the store may be down at start), latest() asks the store.
  let ready = false;
  const refresh = async (since: number): Promise<void> => {
    if (ready) return load(since);
    await load();
    ready = true;
  };

  const schedule = (sinceStart: number): void => {
    const delay = ready ? options.refreshMs : RETRY_LOAD_MS;
    if (closed || delay <= 0) return;
    timer = setTimeout(() => {
      const started = now();
      refreshing = refresh(sinceStart - REFRESH_OVERLAP_MS).then(
        () => schedule(started),
        (error: unknown) => {
          options.logger?.warn({ err: error }, 'latest values not refreshed; serving the previous ones');
          schedule(sinceStart);
        },
      );
    }, delay);
    timer.unref();
  };

  const startedAt = now();
  const loaded = refresh(startedAt).then(
    () => schedule(startedAt),
    (error: unknown) => {
      options.logger?.warn({ err: error }, 'latest values not loaded; asking the store until they are');
      schedule(startedAt);
    },
  );

  return {
    ...store,
    kind: store.kind,
    loaded,
    async writeReadings(readings: readonly Reading[]) {
      await store.writeReadings(readings);
      for (const r of readings) {
        remember({
          city: r.city,
          deviceId: r.deviceId,
          metric: r.metric,
          ts: r.ts,
          value: r.value,
          ...(r.timeSource === 'receive' ? { timeSource: 'receive' } : {}),
        });
      }
    },
    async latest(query: LatestQuery) {
      // During the first load, wait for it: a burst of /v1/latest just after start would otherwise
      // run one full scan of the store per request, beside the load's own.
      if (!ready) await loaded;
      // A city outside the catalog, or a windowed query, is the store's to answer.
      if (!ready || !options.cities.includes(query.city) || query.since !== undefined) {
        return store.latest(query);
      }
      const key = `${query.city}\u0000${query.metric ?? ''}\u0000${query.deviceId ?? ''}`;
      const version = versions.get(query.city) ?? 0;
      const answer = answers.get(key);
      if (answer?.version === version) return answer.values;
      const fresh = [...values.values()]
        .filter(
          (v) =>
            v.city === query.city &&
            (query.metric === undefined || v.metric === query.metric) &&
            (query.deviceId === undefined || v.deviceId === query.deviceId),
        )
        .sort((a, b) => compare(a.deviceId, b.deviceId) || compare(a.metric, b.metric));
      if (answers.size >= MAX_KEPT_ANSWERS) answers.clear();
      answers.set(key, { version, values: fresh });
      return fresh;
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      await refreshing;
      await store.close();
    },
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
