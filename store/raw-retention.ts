import { HOUR_MS } from './rollup-plan.ts';

/**
 * Raw retention, shared by the adapters that keep rollups (RAW_RETENTION_DAYS): raw readings older
 * than the horizon are deleted once their hours are rolled up; hourly and daily rollups are kept
 * forever, so series of whole hours or days over any range still answer from them.
 */
export const RETENTION_INTERVAL_MS = HOUR_MS;
/** The first pass waits a little after opening, so start-up is not slowed by it. */
export const RETENTION_FIRST_PASS_MS = 60_000;
const DAY_MS = 24 * HOUR_MS;

/** Raw readings before this time (an hour start) are past the retention; undefined: kept forever. */
export function retentionHorizon(rawRetentionDays: number, now: number): number | undefined {
  if (rawRetentionDays <= 0) return undefined;
  return Math.floor((now - rawRetentionDays * DAY_MS) / HOUR_MS) * HOUR_MS;
}

export interface RetentionOptions {
  /** 0 (or absent): raw readings are kept forever. */
  readonly rawRetentionDays?: number;
  readonly now?: () => number;
  readonly intervalMs?: number;
  readonly onError?: (error: unknown) => void;
}

export interface RetentionPasses {
  /** Applies the retention now (after the rollups are flushed: rollUp()). */
  runNow(): Promise<void>;
  stop(): void;
}

/** Runs `apply(horizon)` shortly after opening and then every interval, one pass at a time. */
export function scheduleRetention(
  apply: (horizon: number) => Promise<void>,
  options: RetentionOptions,
): RetentionPasses {
  const days = options.rawRetentionDays ?? 0;
  const now = options.now ?? Date.now;
  let running: Promise<void> = Promise.resolve();
  const runNow = () => {
    const horizon = retentionHorizon(days, now());
    if (horizon === undefined) return Promise.resolve();
    const run = running.then(() => apply(horizon));
    running = run.catch(() => undefined);
    return run;
  };
  if (days <= 0) return { runNow, stop: () => {} };
  const background = () => void runNow().catch((error: unknown) => options.onError?.(error));
  const first = setTimeout(
    background,
    Math.min(RETENTION_FIRST_PASS_MS, options.intervalMs ?? RETENTION_INTERVAL_MS),
  );
  const timer = setInterval(background, options.intervalMs ?? RETENTION_INTERVAL_MS);
  first.unref();
  timer.unref();
  return {
    runNow,
    stop: () => {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
