import { METRIC_IDS, type MetricId } from '../domain/metrics.ts';
import type { Reading } from '../domain/reading.ts';

/**
 * A regular grid of readings: every device reports every metric every `stepMs` from `startTs`.
 * Index i is step ⌊i / (devices × metrics)⌋, device ⌊i / metrics⌋ mod devices, metric i mod metrics,
 * so any slice [from, from + count) can be generated on its own and no two indexes share a key.
 */
export interface ReadingGrid {
  readonly city: string;
  readonly deviceIds: readonly string[];
  readonly metrics: readonly MetricId[];
  readonly startTs: number;
  readonly stepMs: number;
}

// Plausible urban levels in canonical units (domain/metrics.ts), so values stay in range and look real.
const TYPICAL: Readonly<Record<MetricId, number>> = {
  pm25: 12,
  pm10: 22,
  no2: 30,
  o3: 60,
  so2: 4,
  co: 0.4,
  noise_laeq: 58,
  temperature: 16,
  humidity: 65,
  pressure: 1013,
};

/** Every metric of the catalog at a plausible level that varies smoothly with step and device. */
export function typicalValues(step: number, device: number): Record<MetricId, number> {
  const values = {} as Record<MetricId, number>;
  for (const metric of METRIC_IDS) values[metric] = plausible(metric, step, device);
  return values;
}

function plausible(metric: MetricId, step: number, device: number): number {
  const swing = metric === 'pressure' ? 0.01 : 0.3;
  return Math.round(TYPICAL[metric] * (1 + swing * Math.sin(step / 60 + device)) * 100) / 100;
}

export function deviceIdsFor(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);
}

export function gridReadingsPerStep(grid: ReadingGrid): number {
  return grid.deviceIds.length * grid.metrics.length;
}

export function gridReadings(grid: ReadingGrid, from: number, count: number): Reading[] {
  const perStep = gridReadingsPerStep(grid);
  const readings: Reading[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const i = from + k;
    const step = Math.floor(i / perStep);
    const device = Math.floor(i / grid.metrics.length) % grid.deviceIds.length;
    const metric = grid.metrics[i % grid.metrics.length] as MetricId;
    readings[k] = {
      ts: grid.startTs + step * grid.stepMs,
      city: grid.city,
      deviceId: grid.deviceIds[device] as string,
      metric,
      value: plausible(metric, step, device),
    };
  }
  return readings;
}
