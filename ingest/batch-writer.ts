import { isRetryable } from '../domain/errors.ts';
import type { BackoffPolicy } from '../platform/backoff.ts';
import type { Logger } from '../platform/logger.ts';
import { notWrittenError, RetryingWrite } from './retrying-write.ts';

/** Named limits of one writer's buffer (items are readings or rejections). */
export interface BatchLimits {
  /** Items per store write; a full batch is written at once, without waiting for the interval. */
  readonly batchSize: number;
  /** Longest time an item waits in the buffer before it is written. */
  readonly flushIntervalMs: number;
  /** Items buffered or being written; past it `add` waits (backpressure) instead of growing memory. */
  readonly maxBufferedItems: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = Object.freeze({
  batchSize: 5000,
  // Short: a device's PUBACK waits for the write its reading is in.
  flushIntervalMs: 20,
  maxBufferedItems: 200_000,
});

export const DEFAULT_WRITE_RETRY: BackoffPolicy = Object.freeze({ initialDelayMs: 200, maxDelayMs: 30_000 });

/** How long `close()` keeps retrying a failing store before handing the items back to their callers. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

export type BatchOptions = Partial<BatchLimits> & {
  readonly retryInitialDelayMs?: number;
  readonly retryMaxDelayMs?: number;
  readonly closeTimeoutMs?: number;
};

/** What a writer reports; ingest binds these to Prometheus metrics labelled with the writer's name. */
export interface BatchWriterMetrics {
  writeSeconds(seconds: number): void;
  retried(): void;
  buffered(items: number): void;
  backpressured(): void;
  failed(items: number): void;
}

export interface BatchWriterOptions<T> {
  /** For logs: 'readings' or 'rejections'. */
  readonly name: string;
  /** The durable write; rejects with an error whose `canRetry()` says whether to try again. */
  readonly write: (items: readonly T[]) => Promise<void>;
  readonly batch?: BatchOptions;
  readonly logger: Logger;
  readonly metrics?: BatchWriterMetrics;
  /** For tests: makes the retry jitter deterministic. */
  readonly random?: () => number;
}

export interface Admitted {
  /** Settles once the items are durable (resolves) or will not be written (rejects). */
  readonly durable: Promise<void>;
}

export interface BatchWriter<T> {
  /** Resolves once the items are in the buffer (after waiting for room: backpressure). */
  enqueue(items: readonly T[]): Promise<Admitted>;
  /** Resolves once the items are durable; rejects when the store refused them or the writer gave up. */
  add(items: readonly T[]): Promise<void>;
  /** Writes everything buffered now; resolves when those items are settled. */
  flush(): Promise<void>;
  /**
   * Writes everything buffered (items added meanwhile too) and refuses further adds. If the store
   * still fails after `timeoutMs`, the remaining callers are rejected with a retryable error
   * (nothing acknowledged, so the broker redelivers them) and close resolves.
   */
  close(timeoutMs?: number): Promise<void>;
  /** Items buffered or being written. */
  buffered(): number;
  /** Why the store is refusing writes right now (they are being retried), or undefined. */
  failing(): string | undefined;
}

interface Entry<T> {
  readonly items: readonly T[];
  /** Arrival order, so flush() can mark "everything buffered now". */
  readonly seq: number;
  /** performance.now() by which this entry must be on its way to the store. */
  readonly dueAt: number;
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface SpaceWaiter {
  readonly count: number;
  readonly admit: () => void;
  readonly reject: (error: unknown) => void;
}

export function createBatchWriter<T>(options: BatchWriterOptions<T>): BatchWriter<T> {
  return new Writer(options);
}

class Writer<T> implements BatchWriter<T> {
  readonly #o: BatchWriterOptions<T>;
  readonly #limits: BatchLimits;
  readonly #store: RetryingWrite<T>;
  readonly #log: Logger;
  #pending: Entry<T>[] = [];
  #pendingItems = 0;
  #inFlight: Entry<T>[] = [];
  #inFlightItems = 0;
  #spaceWaiters: SpaceWaiter[] = [];
  #idleWaiters: Array<() => void> = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #loop: Promise<void> | undefined;
  #lastSeq = 0;
  /** Entries up to this seq are written without waiting (flush()). */
  #flushThrough = 0;
  #draining = false;
  #closed = false;
  #backpressured = false;

  constructor(options: BatchWriterOptions<T>) {
    this.#o = options;
    const b = options.batch ?? {};
    this.#limits = {
      batchSize: b.batchSize ?? DEFAULT_BATCH_LIMITS.batchSize,
      flushIntervalMs: b.flushIntervalMs ?? DEFAULT_BATCH_LIMITS.flushIntervalMs,
      maxBufferedItems: b.maxBufferedItems ?? DEFAULT_BATCH_LIMITS.maxBufferedItems,
    };
    this.#log = options.logger.child({ writer: options.name });
    this.#store = new RetryingWrite<T>({
      name: options.name,
      write: options.write,
      policy: {
        initialDelayMs: b.retryInitialDelayMs ?? DEFAULT_WRITE_RETRY.initialDelayMs,
        maxDelayMs: b.retryMaxDelayMs ?? DEFAULT_WRITE_RETRY.maxDelayMs,
      },
      logger: this.#log,
      onRetry: () => options.metrics?.retried(),
      onWritten: (seconds) => options.metrics?.writeSeconds(seconds),
      random: options.random,
    });
  }

  buffered(): number {
    return this.#pendingItems + this.#inFlightItems;
  }

  failing(): string | undefined {
    return this.#store.failing;
  }

  enqueue(items: readonly T[]): Promise<Admitted> {
    if (this.#closed || this.#store.abandoned)
      return Promise.reject(notWrittenError(this.#o.name, 'is closed'));
    if (items.length === 0) return Promise.resolve({ durable: Promise.resolve() });
    if (this.#spaceWaiters.length === 0 && this.#hasRoomFor(items.length)) {
      return Promise.resolve({ durable: this.#push(items) });
    }
    this.#o.metrics?.backpressured();
    if (!this.#backpressured) {
      this.#backpressured = true;
      this.#log.warn(
        { buffered: this.buffered(), maxBufferedItems: this.#limits.maxBufferedItems },
        'buffer full: holding new messages until the store catches up',
      );
    }
    return new Promise((resolve, reject) => {
      this.#spaceWaiters.push({
        count: items.length,
        admit: () => resolve({ durable: this.#push(items) }),
        reject,
      });
    });
  }

  async add(items: readonly T[]): Promise<void> {
    const { durable } = await this.enqueue(items);
    await durable;
  }

  async flush(): Promise<void> {
    const settling = [...this.#inFlight, ...this.#pending].map((e) => e.promise);
    this.#flushThrough = this.#lastSeq;
    this.#kick();
    await Promise.allSettled(settling);
  }

  async close(timeoutMs = this.#o.batch?.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS): Promise<void> {
    if (this.#closed) return;
    this.#draining = true;
    this.#clearTimer();
    this.#kick();
    const idle = this.#untilIdle();
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([
      idle.then(() => false),
      new Promise<boolean>((resolve) => {
        deadline = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(deadline);
    if (timedOut) {
      this.#abandon();
      await idle;
    }
    this.#closed = true;
  }

  #hasRoomFor(count: number): boolean {
    // A single add larger than the whole buffer is still taken when the buffer is empty: never deadlock.
    return this.buffered() === 0 || this.buffered() + count <= this.#limits.maxBufferedItems;
  }

  #push(items: readonly T[]): Promise<void> {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Marks the promise handled: a caller that attaches its handler a tick later must not crash the process.
    promise.catch(() => undefined);
    this.#lastSeq += 1;
    const dueAt = performance.now() + this.#limits.flushIntervalMs;
    this.#pending.push({ items, seq: this.#lastSeq, dueAt, promise, resolve, reject });
    this.#pendingItems += items.length;
    this.#kick();
    this.#armTimer();
    return promise;
  }

  /**
   * One timer, set for when the oldest buffered entry falls due. None while it is already due: a
   * write is then in flight and the loop takes the entry next — or, when no write is in flight
   * (the entry fell due between the caller's check and this one), a write starts now. Without
   * that, an entry could wait for the next message to be written at all.
   */
  #armTimer(): void {
    const oldest = this.#pending[0];
    if (this.#timer !== undefined || oldest === undefined || this.#draining) return;
    const wait = oldest.dueAt - performance.now();
    if (wait <= 0) {
      if (this.#loop === undefined) this.#kick();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#kick();
      this.#armTimer();
    }, Math.ceil(wait));
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** A full batch, the oldest entry due (waited flushIntervalMs, or flushed), or closing. */
  #shouldWrite(): boolean {
    const oldest = this.#pending[0];
    if (oldest === undefined || this.#store.abandoned) return false;
    if (this.#pendingItems >= this.#limits.batchSize || this.#draining) return true;
    return oldest.seq <= this.#flushThrough || oldest.dueAt <= performance.now();
  }

  #kick(): void {
    if (this.#loop !== undefined || !this.#shouldWrite()) {
      this.#notifyIfIdle();
      return;
    }
    this.#loop = this.#run().finally(() => {
      this.#loop = undefined;
      this.#kick();
    });
  }

  async #run(): Promise<void> {
    while (this.#shouldWrite()) {
      const batch = this.#takeBatch();
      // The timer may have been set for an entry just taken: set it for the new oldest.
      this.#clearTimer();
      this.#armTimer();
      await this.#writeBatch(batch);
    }
    this.#armTimer();
  }

  #takeBatch(): Entry<T>[] {
    const batch: Entry<T>[] = [];
    let count = 0;
    for (let next = this.#pending[0]; next !== undefined; next = this.#pending[0]) {
      if (batch.length > 0 && count + next.items.length > this.#limits.batchSize) break;
      this.#pending.shift();
      batch.push(next);
      count += next.items.length;
    }
    this.#pendingItems -= count;
    this.#inFlight = batch;
    this.#inFlightItems = count;
    return batch;
  }

  async #writeBatch(batch: readonly Entry<T>[]): Promise<void> {
    try {
      await this.#store.run(batch.flatMap((e) => e.items));
      for (const e of batch) e.resolve();
    } catch (error) {
      if (isRetryable(error) || batch.length === 1) this.#fail(batch, error);
      else await this.#isolate(batch);
    } finally {
      this.#inFlight = [];
      this.#inFlightItems = 0;
      this.#o.metrics?.buffered(this.buffered());
      this.#admitWaiters();
    }
  }

  /**
   * A permanent error on a batch may come from one bad message (e.g. a point outside InfluxDB's
   * retention policy): write each caller's items alone so only the callers whose items the store
   * really refuses are rejected.
   */
  async #isolate(batch: readonly Entry<T>[]): Promise<void> {
    let refusedItems = 0;
    let refusedCallers = 0;
    let lastError: unknown;
    for (const entry of batch) {
      try {
        await this.#store.run(entry.items);
        entry.resolve();
      } catch (error) {
        entry.reject(error);
        if (isRetryable(error)) continue;
        refusedItems += entry.items.length;
        refusedCallers += 1;
        lastError = error;
      }
    }
    if (refusedCallers > 0) this.#reportRefused(refusedItems, refusedCallers, lastError);
  }

  #fail(entries: readonly Entry<T>[], error: unknown): void {
    for (const e of entries) e.reject(error);
    if (isRetryable(error)) return;
    this.#reportRefused(
      entries.reduce((n, e) => n + e.items.length, 0),
      entries.length,
      error,
    );
  }

  #reportRefused(items: number, callers: number, error: unknown): void {
    this.#o.metrics?.failed(items);
    this.#log.error(
      { items, callers, err: error },
      'store refused items permanently; their callers are told',
    );
  }

  #admitWaiters(): void {
    for (let next = this.#spaceWaiters[0]; next !== undefined; next = this.#spaceWaiters[0]) {
      if (!this.#hasRoomFor(next.count)) return;
      this.#spaceWaiters.shift();
      next.admit();
    }
    if (this.#backpressured) {
      this.#backpressured = false;
      this.#log.info({ buffered: this.buffered() }, 'buffer has room again');
    }
  }

  #abandon(): void {
    this.#store.abandon();
    this.#clearTimer();
    const error = notWrittenError(this.#o.name, 'gave up at shutdown');
    const dropped = this.#pending;
    this.#pending = [];
    this.#pendingItems = 0;
    for (const e of dropped) e.reject(error);
    for (const w of this.#spaceWaiters.splice(0)) w.reject(error);
    this.#log.warn(
      { items: dropped.reduce((n, e) => n + e.items.length, 0) + this.#inFlightItems },
      'store still failing at shutdown; leaving the unwritten messages unacknowledged for redelivery',
    );
    this.#o.metrics?.buffered(this.buffered());
    this.#notifyIfIdle();
  }

  #untilIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.#notifyIfIdle();
    });
  }

  #notifyIfIdle(): void {
    const idle =
      this.#loop === undefined &&
      this.#pending.length === 0 &&
      this.#inFlight.length === 0 &&
      this.#spaceWaiters.length === 0;
    if (!idle) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
