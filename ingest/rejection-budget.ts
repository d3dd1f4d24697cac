/**
 * How many rejections each device may have stored per minute. A device sending only garbage
 * would otherwise fill the disk with rejections (each with its payload); beyond the budget a
 * rejection is counted (`ucap_ingest_rejections_dropped_total`) but not stored, and the device's
 * budget refills at the next minute. The first ones of each minute are kept, so an operator
 * still sees what the device sends.
 */
export const DEFAULT_REJECTIONS_PER_DEVICE_MINUTE = 60;

export class RejectionBudget {
  readonly #perMinute: number;
  readonly #now: () => number;
  readonly #maxDevices: number;
  readonly #used = new Map<string, { minute: number; count: number }>();

  constructor(perMinute: number, options: { now?: () => number; maxDevices?: number } = {}) {
    this.#perMinute = perMinute;
    this.#now = options.now ?? Date.now;
    this.#maxDevices = options.maxDevices ?? 100_000;
  }

  /** True when this device's rejection may be stored now (and counts it against the budget). */
  admit(deviceId: string): boolean {
    const minute = Math.floor(this.#now() / 60_000);
    const used = this.#used.get(deviceId);
    if (used === undefined || used.minute !== minute) {
      this.#used.delete(deviceId);
      this.#used.set(deviceId, { minute, count: 1 });
      if (this.#used.size > this.#maxDevices) this.#used.delete(this.#used.keys().next().value ?? '');
      return true;
    }
    if (used.count >= this.#perMinute) return false;
    used.count++;
    return true;
  }
}
