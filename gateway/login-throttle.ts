/**
 * Failed logins per key (a device id, or a source address). Below `threshold` failures nothing
 * happens; from then on each further failure blocks the key for 1 s, 2 s, 4 s ... up to
 * `maxBackoffMs`. While blocked, a login for that key is refused without running scrypt, so a
 * flood costs the gateway nothing. A key quiet for `maxBackoffMs` after its block ends is
 * forgotten; a successful login resets it.
 */
export class LoginThrottle {
  readonly #threshold: number;
  readonly #maxBackoffMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { failures: number; blockedUntil: number; lastAt: number }>();

  constructor(
    threshold: number,
    maxBackoffMs: number,
    options: { now?: () => number; maxKeys?: number } = {},
  ) {
    this.#threshold = threshold;
    this.#maxBackoffMs = maxBackoffMs;
    this.#now = options.now ?? Date.now;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  /** Milliseconds the key stays blocked; 0 when a login may be checked. */
  blockedFor(key: string): number {
    const entry = this.#current(key);
    return entry ? Math.max(0, entry.blockedUntil - this.#now()) : 0;
  }

  fail(key: string): void {
    const entry = this.#current(key) ?? { failures: 0, blockedUntil: 0, lastAt: 0 };
    entry.failures++;
    entry.lastAt = this.#now();
    const over = entry.failures - this.#threshold;
    if (over >= 0)
      entry.blockedUntil = this.#now() + Math.min(1000 * 2 ** Math.min(over, 30), this.#maxBackoffMs);
    // Re-insert so the Map's first key is always the least recently failed one.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > this.#maxKeys) this.#entries.delete(this.#entries.keys().next().value ?? '');
  }

  succeed(key: string): void {
    this.#entries.delete(key);
  }

  #current(key: string) {
    const entry = this.#entries.get(key);
    if (entry && this.#now() > Math.max(entry.blockedUntil, entry.lastAt) + this.#maxBackoffMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }
}
