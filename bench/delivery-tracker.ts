import type { Reading } from '../domain/reading.ts';

/**
 * Follows published messages until their readings are stored: a message counts as stored when
 * the last of its readings is (ingest may split one message's readings across two batches).
 * Messages are keyed by device and timestamp, which the bench makes unique per message.
 */
export class DeliveryTracker {
  readonly #sentAt = new Map<string, number>();
  readonly #pending = new Map<string, number>();
  readonly #latencies: number[] = [];
  readonly #expectedMessages: number;
  #unexpectedReadings = 0;
  #storeWrites = 0;
  #storedReadings = 0;
  #lastStoredAt = Number.NaN;
  #allStored: () => void = () => {};
  readonly allStored: Promise<void>;

  constructor(expectedMessages: number) {
    this.#expectedMessages = expectedMessages;
    this.allStored = new Promise((resolve) => {
      this.#allStored = resolve;
    });
    if (expectedMessages === 0) this.#allStored();
  }

  sent(deviceId: string, ts: number, readings: number, at: number): void {
    const key = keyOf(deviceId, ts);
    this.#sentAt.set(key, at);
    this.#pending.set(key, readings);
  }

  stored(readings: readonly Reading[], at: number): void {
    this.#storeWrites += 1;
    this.#storedReadings += readings.length;
    for (const reading of readings) {
      const key = keyOf(reading.deviceId, reading.ts);
      const left = this.#pending.get(key);
      if (left === undefined) {
        this.#unexpectedReadings += 1;
        continue;
      }
      if (left > 1) {
        this.#pending.set(key, left - 1);
        continue;
      }
      this.#pending.delete(key);
      this.#latencies.push(at - (this.#sentAt.get(key) ?? at));
      this.#lastStoredAt = at;
      if (this.#latencies.length === this.#expectedMessages) this.#allStored();
    }
  }

  /** Publish-to-stored latency of each stored message, in ms. */
  latencies(): readonly number[] {
    return this.#latencies;
  }

  storedMessages(): number {
    return this.#latencies.length;
  }

  /** Readings stored that no tracked message is waiting for (a redelivery after the message completed). */
  unexpectedReadings(): number {
    return this.#unexpectedReadings;
  }

  /** Store writes seen and the readings they held: how full ingest's batches were. */
  writes(): { readonly count: number; readonly readings: number } {
    return { count: this.#storeWrites, readings: this.#storedReadings };
  }

  lastStoredAt(): number {
    return this.#lastStoredAt;
  }
}

function keyOf(deviceId: string, ts: number): string {
  return `${deviceId}\u0000${ts}`;
}
