/** The connections each key (a device id, a source address) holds open right now. */
export class OpenConnections<T> {
  readonly #byKey = new Map<string, Set<T>>();

  count(key: string): number {
    return this.#byKey.get(key)?.size ?? 0;
  }

  add(key: string, connection: T): void {
    const set = this.#byKey.get(key);
    if (set) set.add(connection);
    else this.#byKey.set(key, new Set([connection]));
  }

  remove(key: string, connection: T): void {
    const set = this.#byKey.get(key);
    if (!set) return;
    set.delete(connection);
    if (set.size === 0) this.#byKey.delete(key);
  }

  keys(): string[] {
    return [...this.#byKey.keys()];
  }

  of(key: string): T[] {
    return [...(this.#byKey.get(key) ?? [])];
  }
}
