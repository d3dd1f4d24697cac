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
