import type { UcapError } from '../../domain/errors.ts';

/**
 * Admits store calls until close(); close() then waits for the calls already admitted, so an
 * in-flight write is never cut off, and every later call fails with the closed error.
 */
export class CallGate {
  readonly #closedError: () => UcapError;
  readonly #inFlight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(closedError: () => UcapError) {
    this.#closedError = closedError;
  }

  run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) return Promise.reject(this.#closedError());
    const promise = operation();
    this.#inFlight.add(promise);
    const forget = () => this.#inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** Stops admitting and resolves once every admitted call has settled; later calls share it. */
  close(): Promise<void> {
    this.#closing ??= Promise.allSettled([...this.#inFlight]).then(() => undefined);
    return this.#closing;
  }
}
