import { isRetryable, UcapError } from '../domain/errors.ts';
import { type BackoffPolicy, backoffDelay } from '../platform/backoff.ts';
import type { Logger } from '../platform/logger.ts';

function retryAfterMs(error: unknown): number {
  const e = error as { retryAfter?: unknown } | null;
  if (typeof e !== 'object' || e === null || typeof e.retryAfter !== 'function') return 0;
  const ms: unknown = e.retryAfter();
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** Retryable on purpose: the items were not written, so their messages must stay unacknowledged. */
export function notWrittenError(name: string, why: string, cause?: unknown): UcapError {
  return new UcapError('STORE_UNAVAILABLE', `${name} writer ${why}; the items were not written`, {
    retryable: true,
    cause,
  });
}

export interface RetryingWriteOptions<T> {
  readonly name: string;
  readonly write: (items: readonly T[]) => Promise<void>;
  readonly policy: BackoffPolicy;
  readonly logger: Logger;
  readonly onRetry?: () => void;
  readonly onWritten?: (seconds: number) => void;
  readonly random?: (() => number) | undefined;
}

/**
 * A store write retried with jittered exponential backoff (or the store's own retryAfter, when
 * longer) for as long as the error says it can be retried, until `abandon()` is called.
 */
export class RetryingWrite<T> {
  readonly #o: RetryingWriteOptions<T>;
  #sleep: { timer: ReturnType<typeof setTimeout>; wake: () => void } | undefined;
  #abandoned = false;
  #failing: string | undefined;

  constructor(options: RetryingWriteOptions<T>) {
    this.#o = options;
  }

  get abandoned(): boolean {
    return this.#abandoned;
  }

  /** Why writes are failing now (the last retryable error), or undefined once a write went through. */
  get failing(): string | undefined {
    return this.#failing;
  }

  /** Stops retrying: a write waiting for its next attempt fails at once with a retryable error. */
  abandon(): void {
    this.#abandoned = true;
    if (this.#sleep === undefined) return;
    clearTimeout(this.#sleep.timer);
    this.#sleep.wake();
  }

  async run(items: readonly T[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        await this.#o.write(items);
        this.#failing = undefined;
        this.#o.onWritten?.((performance.now() - started) / 1000);
        return;
      } catch (error) {
        if (!isRetryable(error)) throw error;
        this.#failing = error instanceof Error ? error.message : String(error);
        if (this.#abandoned) throw notWrittenError(this.#o.name, 'gave up at shutdown', error);
        const delayMs = Math.max(backoffDelay(attempt, this.#o.policy, this.#o.random), retryAfterMs(error));
        this.#o.onRetry?.();
        this.#o.logger.warn(
          { items: items.length, attempt: attempt + 1, delayMs, err: error },
          'store write failed; retrying',
        );
        await this.#sleepFor(delayMs);
        if (this.#abandoned) throw notWrittenError(this.#o.name, 'gave up at shutdown', error);
      }
    }
  }

  #sleepFor(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.#sleep = undefined;
        resolve();
      };
      this.#sleep = { timer: setTimeout(wake, ms), wake };
    });
  }
}
