import type { CityMeanSeries, DeviceSeries, SeriesPoint } from './time-series-store.ts';

/**
 * The city mean of per-device series, computed here: per bucket, the mean over the devices with a
 * value for it, adding them in device order (as both stores do, so every path gives the same
 * doubles). For queries a store cannot answer itself.
 */
export function cityMeanOf(perDevice: readonly DeviceSeries[]): CityMeanSeries {
  const withPoints = perDevice.filter((s) => s.points.length > 0);
  return {
    points: meanAcrossDevices(withPoints),
    devices: withPoints.map((s) => s.deviceId).sort(),
  };
}

/**
 * One city mean from means of separate time ranges (settled hours from city hours, unsettled ones
 * from raw readings): their buckets by time, the devices of any of them.
 */
export function joinCityMeans(parts: readonly CityMeanSeries[]): CityMeanSeries {
  return {
    points: parts.flatMap((part) => part.points).sort((a, b) => a.ts - b.ts),
    devices: [...new Set(parts.flatMap((part) => part.devices))].sort(),
  };
}

/** Per bucket, the mean over the devices with a value for that bucket; ascending by bucket. */
export function meanAcrossDevices(perDevice: readonly DeviceSeries[]): SeriesPoint[] {
  const sums = new Map<number, { sum: number; count: number }>();
  for (const device of [...perDevice].sort((a, b) => byText(a.deviceId, b.deviceId))) {
    for (const { ts, value } of device.points) {
      const entry = sums.get(ts);
      if (entry) {
        entry.sum += value;
        entry.count += 1;
      } else sums.set(ts, { sum: value, count: 1 });
    }
  }
  return [...sums.entries()]
    .sort(([a], [b]) => a - b)
    .map(([ts, { sum, count }]) => ({ ts, value: count === 1 ? sum : sum / count }));
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
