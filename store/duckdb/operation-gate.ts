import type { UcapError } from '../../domain/errors.ts';

/**
 * Admits store operations until close(): writes run one at a time in call order (DuckDB allows one
 * writer per connection and the staging tables are shared); reads run concurrently, at most
 * `maxConcurrentReads` at once. close() stops admitting, then waits for everything already
 * admitted, so no write is cut off half-way.
 *
 * Why reads are capped: every DuckDB call runs on one of libuv's threadpool threads (4 unless
 * UV_THREADPOOL_SIZE says otherwise) for as long as the query runs. Four long research queries
 * would hold them all, and the next write — a device's PUBACK waits for it — would queue behind
 * them for seconds.
 */
export class OperationGate {
  readonly #closedError: () => UcapError;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #maxConcurrentReads: number;
  readonly #waitingReads: Array<() => void> = [];
  #activeReads = 0;
  #writeTail: Promise<unknown> = Promise.resolve();
  #closing: Promise<void> | undefined;

  constructor(closedError: () => UcapError, maxConcurrentReads = readThreadsLeftForWrites()) {
    this.#closedError = closedError;
    this.#maxConcurrentReads = Math.max(1, maxConcurrentReads);
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  read<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.#closedError());
    return this.#track(this.#withReadSlot(operation));
  }

  /** A tiny read (a health probe) that must not wait behind long queries: not counted. */
  probe<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.#closedError());
    return this.#track(operation());
  }

  async #withReadSlot<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#activeReads >= this.#maxConcurrentReads)
      await new Promise<void>((resolve) => this.#waitingReads.push(resolve));
    else this.#activeReads += 1;
    try {
      return await operation();
    } finally {
      // The slot passes straight to the next waiting read, if any.
      const next = this.#waitingReads.shift();
      if (next === undefined) this.#activeReads -= 1;
      else next();
    }
  }

  write<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.#closedError());
    const result = this.#writeTail.then(operation);
    this.#writeTail = result.catch(() => undefined);
    return this.#track(result);
  }

  /** Stops admitting and resolves once every admitted operation has settled; later calls share it. */
  close(): Promise<void> {
    this.#closing ??= Promise.allSettled([...this.#inFlight]).then(() => undefined);
    return this.#closing;
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    const forget = () => this.#inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}

/** Threadpool threads reads may hold: all but two (one for the writer, one for files and logins). */
export function readThreadsLeftForWrites(poolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4): number {
  return Math.max(1, poolSize - 2);
}
