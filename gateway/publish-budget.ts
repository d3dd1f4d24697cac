/**
 * Per-device token buckets for PUBLISH packets and payload bytes: each refills at its rate per
 * second and holds at most one second's worth (the byte bucket at least one largest payload), so
 * a device may burst briefly but never sustain more than its budget.
 */
export class PublishBudget {
  readonly #messagesPerSecond: number;
  readonly #bytesPerSecond: number;
  readonly #byteCapacity: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { messages: number; bytes: number; at: number }>();

  constructor(
    limits: { messagesPerSecond: number; bytesPerSecond: number; largestPayloadBytes: number },
    now: () => number = Date.now,
  ) {
    this.#messagesPerSecond = limits.messagesPerSecond;
    this.#bytesPerSecond = limits.bytesPerSecond;
    this.#byteCapacity = Math.max(limits.bytesPerSecond, limits.largestPayloadBytes);
    this.#now = now;
  }

  /** Spends one message and `bytes` from the device's budget; the reason when it has not enough. */
  take(deviceId: string, bytes: number): 'publish-rate-exceeded' | 'byte-rate-exceeded' | undefined {
    const now = this.#now();
    const bucket = this.#buckets.get(deviceId) ?? {
      messages: this.#messagesPerSecond,
      bytes: this.#byteCapacity,
      at: now,
    };
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    bucket.messages = Math.min(this.#messagesPerSecond, bucket.messages + elapsed * this.#messagesPerSecond);
    bucket.bytes = Math.min(this.#byteCapacity, bucket.bytes + elapsed * this.#bytesPerSecond);
    bucket.at = now;
    this.#buckets.set(deviceId, bucket);
    if (bucket.messages < 1) return 'publish-rate-exceeded';
    if (bucket.bytes < bytes) return 'byte-rate-exceeded';
    bucket.messages -= 1;
    bucket.bytes -= bytes;
    return undefined;
  }

  /** Drops a device's bucket (it disconnected or was removed); a fresh one starts full. */
  forget(deviceId: string): void {
    this.#buckets.delete(deviceId);
  }
}
