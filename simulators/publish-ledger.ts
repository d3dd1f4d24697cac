/**
 * Keeps count of QoS 1 publishes: how many the broker acknowledged, and which are still waiting,
 * so a shutdown can wait for them (bounded, since a gateway that is down would never answer).
 */
export class PublishLedger {
  readonly #inFlight = new Set<Promise<void>>();
  #acknowledged = 0;

  get acknowledged(): number {
    return this.#acknowledged;
  }

  get pending(): number {
    return this.#inFlight.size;
  }

  /** Tracks one publish; `onError` hears why it failed. */
  track(publish: Promise<unknown>, onError: (error: unknown) => void): void {
    const settled = publish.then(
      () => {
        this.#acknowledged++;
      },
      (error: unknown) => onError(error),
    );
    this.#inFlight.add(settled);
    void settled.finally(() => this.#inFlight.delete(settled));
  }

  /** Resolves true once every tracked publish has settled, false if `timeoutMs` passes first. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.#inFlight.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const all = Promise.allSettled([...this.#inFlight]).then(() => true as const);
    const result = await Promise.race([all, timeout]);
    clearTimeout(timer);
    return result;
  }
}
