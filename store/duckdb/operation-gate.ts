import type { UcapError } from '../../domain/errors.ts';

/**
 * Admits store operations until close(): writes run one at a time in call order (DuckDB allows one
 * writer per connection and the staging tables are shared); reads run concurrently. close() stops
 * admitting, then waits for everything already admitted, so no write is cut off half-way.
 */
export class OperationGate {
  readonly #closedError: () => UcapError;
  readonly #inFlight = new Set<Promise<unknown>>();
  #writeTail: Promise<unknown> = Promise.resolve();
  #closing: Promise<void> | undefined;

  constructor(closedError: () => UcapError) {
    this.#closedError = closedError;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  read<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.#closedError());
    return this.#track(operation());
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
