import type { PollutantId } from './city-climates.ts';

/**
 * Daily cycles by local hour, from the diurnal patterns typical of urban monitoring: NO2 and CO
 * peak with the 07-09 and 18-21 rush hours; PM rises on winter mornings and evenings under
 * inversions and dips in the well-mixed afternoon; O3 peaks 13-17 h and is lowest at dawn; noise
 * is quietest 02-05 h. Pollutant shapes are normalised to a daily mean of 1, so they move the
 * hours around the city level without changing the daily mean.
 */
function bump(hour: number, centre: number, width: number): number {
  // Circular distance, so a peak at 23 h also raises 01 h.
  const d = Math.abs(hour - centre);
  const distance = Math.min(d, 24 - d);
  return Math.exp(-0.5 * (distance / width) ** 2);
}

const RAW_SHAPES: Readonly<Record<PollutantId, (hour: number) => number>> = {
  no2: (h) => 0.55 + 0.9 * bump(h, 8, 1.4) + 0.7 * bump(h, 19.5, 2),
  co: (h) => 0.6 + 0.8 * bump(h, 8, 1.5) + 0.7 * bump(h, 20, 2.2),
  pm25: (h) => 0.85 + 0.3 * bump(h, 9, 2) + 0.45 * bump(h, 21.5, 2.5) - 0.2 * bump(h, 15, 2.5),
  pm10: (h) => 0.85 + 0.35 * bump(h, 9, 2) + 0.35 * bump(h, 20.5, 2.5) - 0.15 * bump(h, 15, 2.5),
  o3: (h) => 0.45 + 1.0 * bump(h, 15, 3.5),
  so2: (h) => 1 + 0.3 * bump(h, 11, 3),
};

function dailyMean(shape: (hour: number) => number): number {
  const steps = 240;
  let sum = 0;
  for (let i = 0; i < steps; i++) sum += shape((i * 24) / steps);
  return sum / steps;
}

const MEANS = Object.fromEntries(
  Object.entries(RAW_SHAPES).map(([id, shape]) => [id, dailyMean(shape)]),
) as Record<PollutantId, number>;

/** Multiplier for the local hour; `depth` > 1 exaggerates the cycle (never below 0.05). */
export function pollutantCycle(metric: PollutantId, hour: number, depth = 1): number {
  const normalised = RAW_SHAPES[metric](hour) / MEANS[metric];
  return Math.max(0.05, 1 + depth * (normalised - 1));
}

function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Human activity from 0 (02-05 h) to 1 (daytime), for noise: up from 06 h, down after 22 h. */
export function activityCycle(hour: number): number {
  return logistic((hour - 6.2) / 0.6) * (1 - logistic((hour - 22) / 0.9));
}

/** Cosine with its maximum at `peak`, period `period` (hours or days), in [-1, 1]. */
export function cosineCycle(x: number, peak: number, period: number): number {
  return Math.cos((2 * Math.PI * (x - peak)) / period);
}
