import type { Reading } from '../domain/reading.ts';

/**
 * One reading per identity (city, device, metric, ts), the last one of the batch winning, as a
 * second write of the same key would: adapters that split or reorder a batch apply this first.
 */
export function lastPerKey(readings: readonly Reading[]): Reading[] {
  const byKey = new Map<string, Reading>();
  for (const r of readings) byKey.set(`${r.city}\u0000${r.deviceId}\u0000${r.metric}\u0000${r.ts}`, r);
  return [...byKey.values()];
}

/**
 * The batch itself when no key can repeat (each series' times strictly increase, as in any
 * time-ordered file), else lastPerKey: the check walks nested maps and builds no string per reading.
 */
export function withoutRepeatedKeys(readings: readonly Reading[]): readonly Reading[] {
  const newest = new Map<string, Map<string, Map<string, number>>>();
  for (const r of readings) {
    let byDevice = newest.get(r.city);
    if (byDevice === undefined) {
      byDevice = new Map();
      newest.set(r.city, byDevice);
    }
    let byMetric = byDevice.get(r.deviceId);
    if (byMetric === undefined) {
      byMetric = new Map();
      byDevice.set(r.deviceId, byMetric);
    }
    const previous = byMetric.get(r.metric);
    if (previous !== undefined && r.ts <= previous) return lastPerKey(readings);
    byMetric.set(r.metric, r.ts);
  }
  return readings;
}
