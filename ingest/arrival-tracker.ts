import type { Reading } from '../domain/reading.ts';

/** How many recent reading times are remembered per device and metric to recognise a resent reading. */
export const RECENT_TIMES_PER_METRIC = 16;

interface DeviceArrivals {
  /** Newest reading time stored for the device. */
  newestTs: number;
  /** Per metric, the last RECENT_TIMES_PER_METRIC times stored (a ring). */
  readonly recent: Map<string, { readonly times: number[]; next: number }>;
}

/**
 * Counts what the store absorbs silently. Writes are idempotent on (city, device, metric, ts), so a
 * reading resent after a lost PUBACK (or redelivered after a crash) is stored once; this says how
 * often that happened, and how many readings arrived older than the device's newest one (late data).
 * A resend comes within seconds, so a short per-device memory recognises it without a store lookup;
 * an older duplicate beyond that memory is counted as late instead. Runs for every reading, so it
 * allocates nothing per reading once a device and metric are known.
 */
export class ArrivalTracker {
  readonly #cities = new Map<string, Map<string, DeviceArrivals>>();

  observe(readings: readonly Reading[]): { duplicates: number; late: number } {
    let duplicates = 0;
    let late = 0;
    for (const r of readings) {
      const device = this.#device(r.city, r.deviceId, r.ts);
      let recent = device.recent.get(r.metric);
      if (recent === undefined) {
        recent = { times: [], next: 0 };
        device.recent.set(r.metric, recent);
      }
      if (recent.times.includes(r.ts)) {
        duplicates += 1;
        continue;
      }
      if (r.ts < device.newestTs) late += 1;
      else device.newestTs = r.ts;
      recent.times[recent.next] = r.ts;
      recent.next = (recent.next + 1) % RECENT_TIMES_PER_METRIC;
    }
    return { duplicates, late };
  }

  #device(city: string, deviceId: string, ts: number): DeviceArrivals {
    let devices = this.#cities.get(city);
    if (devices === undefined) {
      devices = new Map();
      this.#cities.set(city, devices);
    }
    let device = devices.get(deviceId);
    if (device === undefined) {
      device = { newestTs: ts, recent: new Map() };
      devices.set(deviceId, device);
    }
    return device;
  }
}
