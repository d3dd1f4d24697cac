import type { TimeSeriesStore } from '../../store/time-series-store.ts';

/** The store under test, read lazily because it is opened in beforeAll. */
export interface ConformanceContext {
  readonly store: TimeSeriesStore;
}

export function t(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test timestamp ${iso}`);
  return ms;
}

// A short per-run tag keeps ids unique even if an adapter's test reuses a non-empty store.
const runTag = Math.random().toString(36).slice(2, 6);

/** A city id and device ids of one test's own, so tests never see each other's data. */
export function scope(name: string): { city: string; dev: (suffix: string) => string } {
  const city = `${name}-${runTag}`;
  return { city, dev: (suffix) => `${city}-${suffix}` };
}
