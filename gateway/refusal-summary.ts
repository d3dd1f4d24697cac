import type { Logger } from '../platform/logger.ts';

export type RefusalKind = 'connection' | 'publish' | 'subscription';

interface Tally {
  readonly byReason: Map<string, number>;
  readonly byAddress: Map<string, number>;
  readonly byDevice: Map<string, number>;
}

const TOP = 5;

/**
 * Expected refusals (bad logins, floods, limits) are counted and logged as ONE warning line per
 * interval, never one line (let alone a stack trace) each: an unauthenticated flood must not
 * turn into a disk-filling log. Each refusal is still logged at debug level by its caller.
 */
export class RefusalSummary {
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #timer: NodeJS.Timeout;
  #tallies = new Map<RefusalKind, Tally>();

  constructor(logger: Logger, intervalMs: number) {
    this.#logger = logger;
    this.#intervalMs = intervalMs;
    this.#timer = setInterval(() => this.flush(), intervalMs);
    this.#timer.unref();
  }

  note(
    kind: RefusalKind,
    reason: string,
    who: { address?: string | undefined; deviceId?: string | undefined },
  ): void {
    let tally = this.#tallies.get(kind);
    if (!tally) {
      tally = { byReason: new Map(), byAddress: new Map(), byDevice: new Map() };
      this.#tallies.set(kind, tally);
    }
    bump(tally.byReason, reason);
    if (who.address) bump(tally.byAddress, who.address);
    if (who.deviceId) bump(tally.byDevice, who.deviceId);
  }

  /** Logs what was refused since the last flush, if anything. */
  flush(): void {
    if (this.#tallies.size === 0) return;
    const refused: Record<string, unknown> = {};
    for (const [kind, tally] of this.#tallies) {
      refused[kind] = {
        total: [...tally.byReason.values()].reduce((a, b) => a + b, 0),
        byReason: Object.fromEntries(tally.byReason),
        topAddresses: top(tally.byAddress),
        topDevices: top(tally.byDevice),
      };
    }
    this.#tallies = new Map();
    this.#logger.warn(
      { intervalMs: this.#intervalMs, refused },
      'refused MQTT connections/packets in the last interval',
    );
  }

  close(): void {
    clearInterval(this.#timer);
    this.flush();
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function top(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...map].sort((a, b) => b[1] - a[1]).slice(0, TOP));
}
