import { type StoredCounts, sumCounts } from './stored-counts.ts';

export interface WaitStoredOptions {
  /** Reads the stored count per device. */
  readonly count: () => Promise<StoredCounts>;
  /** Stop as soon as this many are stored (the acknowledged total). */
  readonly target: number;
  /** Or once the total has not grown for this long (default 3 s: three ingest flush intervals). */
  readonly quietMs?: number;
  /** Give up after this long (default 60 s). */
  readonly timeoutMs?: number;
  readonly pollMs?: number;
}

export interface WaitStoredOutcome {
  readonly counts: StoredCounts;
  readonly stored: number;
  /** From the call to the last growth of the stored total (0 when nothing was left to store). */
  readonly drainMs: number;
  /** performance.now() of the last growth seen (the call's start when it never grew). */
  readonly lastGrowthAt: number;
  /** Why the wait ended. */
  readonly reason: 'target' | 'quiet' | 'timeout';
}

/**
 * Polls the stored count after a load until it reaches `target` or stops growing: how long the
 * pipeline took to drain its backlog once the devices stopped.
 */
export async function waitStored(options: WaitStoredOptions): Promise<WaitStoredOutcome> {
  const quietMs = options.quietMs ?? 3000;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const pollMs = options.pollMs ?? 200;
  const started = performance.now();
  let counts = await options.count();
  let stored = sumCounts(counts);
  let grewAt = started;
  for (;;) {
    const now = performance.now();
    if (stored >= options.target)
      return { counts, stored, drainMs: grewAt - started, lastGrowthAt: grewAt, reason: 'target' };
    if (now - grewAt >= quietMs)
      return { counts, stored, drainMs: grewAt - started, lastGrowthAt: grewAt, reason: 'quiet' };
    if (now - started >= timeoutMs)
      return { counts, stored, drainMs: now - started, lastGrowthAt: grewAt, reason: 'timeout' };
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    counts = await options.count();
    const next = sumCounts(counts);
    if (next !== stored) grewAt = performance.now();
    stored = next;
  }
}
