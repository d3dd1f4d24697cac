import type { Reading } from '../domain/reading.ts';

/** How many recent (metric, ts) keys are remembered per device to recognise a resent reading. */
export const RECENT_KEYS_PER_DEVICE = 64;

interface DeviceArrivals {
  /** Newest reading time stored for the device. */
  newestTs: number;
  /** Insertion-ordered, so the oldest key is dropped first. */
  readonly recent: Set<string>;
}

/**
 * Counts what the store absorbs silently. Writes are idempotent on (city, device, metric, ts), so a
 * reading resent after a lost PUBACK (or redelivered after a crash) is stored once; this says how
 * often that happened, and how many readings arrived older than the device's newest one (late data).
 * A resend comes within seconds, so a short per-device memory recognises it without a store lookup;
 * an older duplicate beyond that memory is counted as late instead.
 */
export class ArrivalTracker {
  readonly #devices = new Map<string, DeviceArrivals>();

  observe(readings: readonly Reading[]): { duplicates: number; late: number } {
    let duplicates = 0;
    let late = 0;
    for (const r of readings) {
      const id = `${r.city}/${r.deviceId}`;
      let device = this.#devices.get(id);
      if (device === undefined) {
        device = { newestTs: r.ts, recent: new Set() };
        this.#devices.set(id, device);
      }
      const key = `${r.metric}@${r.ts}`;
      if (device.recent.has(key)) {
        duplicates += 1;
        continue;
      }
      if (r.ts < device.newestTs) late += 1;
      else device.newestTs = r.ts;
      device.recent.add(key);
      if (device.recent.size > RECENT_KEYS_PER_DEVICE) {
        const oldest = device.recent.values().next().value;
        if (oldest !== undefined) device.recent.delete(oldest);
      }
    }
    return { duplicates, late };
  }
}
