import { METRICS, type MetricId } from '../domain/metrics.ts';
import { type CityClimate, climateOf, type PollutantId, SITE_OFFSETS } from './city-climates.ts';
import { activityCycle, cosineCycle, pollutantCycle } from './daily-cycles.ts';
import { type LocalClock, localClock } from './local-clock.ts';
import type { SeededRandom } from './seeded-random.ts';
import type { StationProfile } from './stations.ts';

/**
 * Plausible readings for a simulated station: a deterministic level (city climate × season × local
 * daily cycle × site type, see city-climates.ts and daily-cycles.ts) times smooth random noise.
 * The noise is AR(1) in time, so consecutive readings are correlated as real ones are, and a slow
 * component shared by the primary pollutants plays the part of the weather (stagnant days raise
 * PM, NO2 and CO together). Same seed and same instants → same values.
 */
export type SimulatedValues = Partial<Record<MetricId, number>>;

export interface ValueModel {
  valuesAt(ts: number): SimulatedValues;
}

const POLLUTANTS: ReadonlySet<string> = new Set(['pm25', 'pm10', 'no2', 'o3', 'so2', 'co']);

function isPollutant(metric: MetricId): metric is PollutantId {
  return POLLUTANTS.has(metric);
}

/** The noise-free level of one metric at a station for a local clock, in the canonical unit. */
export function expectedLevel(station: StationProfile, metric: MetricId, clock: LocalClock): number {
  const climate = requireClimate(station.city);
  if (isPollutant(metric)) return pollutantLevel(climate, station, metric, clock);
  const { hour, dayOfYear } = clock;
  switch (metric) {
    case 'noise_laeq': {
      const { day, night } = climate.noise;
      return night + (day - night) * activityCycle(hour) + SITE_OFFSETS[station.siteType].noiseDb;
    }
    case 'temperature': {
      const t = climate.temperature;
      const season = t.seasonalAmplitude * cosineCycle(dayOfYear, t.warmestDay, 365.25);
      return t.annualMean + season + (t.dailyRange / 2) * cosineCycle(hour, 15, 24);
    }
    case 'humidity': {
      const h = climate.humidity;
      const season = h.seasonalAmplitude * cosineCycle(dayOfYear, h.wettestDay, 365.25);
      // Inverse of temperature: driest at the afternoon temperature maximum.
      return h.annualMean + season - h.dailyAmplitude * cosineCycle(hour, 15, 24);
    }
    case 'pressure': {
      const p = climate.pressure;
      const season = p.seasonalAmplitude * cosineCycle(dayOfYear, p.highestDay, 365.25);
      // The semidiurnal atmospheric tide: maxima near 10 h and 22 h local.
      return p.mean + season + 0.8 * cosineCycle(hour, 10, 12);
    }
  }
  return 0;
}

function pollutantLevel(
  climate: CityClimate,
  station: StationProfile,
  metric: PollutantId,
  clock: LocalClock,
): number {
  const spec = climate.pollutants[metric];
  const season = Math.exp(spec.seasonalAmplitude * cosineCycle(clock.dayOfYear, spec.peakDay, 365.25));
  const site = SITE_OFFSETS[station.siteType].factors[metric] ?? 1;
  let level = spec.level * season * site * pollutantCycle(metric, clock.hour, spec.diurnalDepth);
  if (metric === 'pm10' && climate.dust) {
    const { peakDay, widthDays, extra } = climate.dust;
    const distance = (clock.dayOfYear - peakDay) / widthDays;
    level *= 1 + extra * Math.exp(-0.5 * distance ** 2);
  }
  return level;
}

function requireClimate(cityId: string): CityClimate {
  const climate = climateOf(cityId);
  if (!climate) throw new Error(`no simulated climate for city "${cityId}"`);
  return climate;
}

interface NoiseComponent {
  /** Components with the same key share one random process across the device's metrics. */
  readonly key: string;
  readonly sigma: number;
  readonly tauHours: number;
}

interface NoiseSpec {
  /** `log`: multiplicative (pollutant levels are log-normal); `add`: in the metric's unit. */
  readonly kind: 'log' | 'add';
  readonly components: readonly NoiseComponent[];
}

const STAGNATION = { key: 'slow:primary', tauHours: 36 };

const NOISE: Readonly<Record<MetricId, NoiseSpec>> = {
  pm25: { kind: 'log', components: [fast('pm25', 0.18, 1.5), { ...STAGNATION, sigma: 0.35 }] },
  pm10: { kind: 'log', components: [fast('pm10', 0.2, 1.5), { ...STAGNATION, sigma: 0.33 }] },
  no2: { kind: 'log', components: [fast('no2', 0.2, 1), { ...STAGNATION, sigma: 0.3 }] },
  so2: { kind: 'log', components: [fast('so2', 0.25, 2), { ...STAGNATION, sigma: 0.3 }] },
  co: { kind: 'log', components: [fast('co', 0.15, 1.5), { ...STAGNATION, sigma: 0.3 }] },
  o3: { kind: 'log', components: [fast('o3', 0.12, 1), { key: 'slow:o3', sigma: 0.2, tauHours: 48 }] },
  noise_laeq: { kind: 'add', components: [fast('noise', 1.5, 0.5), slow('noise', 1, 24)] },
  temperature: { kind: 'add', components: [fast('temperature', 0.4, 1), slow('temperature', 2, 48)] },
  humidity: { kind: 'add', components: [fast('humidity', 2, 1), slow('humidity', 8, 24)] },
  pressure: { kind: 'add', components: [fast('pressure', 0.3, 1), slow('pressure', 6, 72)] },
};

function fast(name: string, sigma: number, tauHours: number): NoiseComponent {
  return { key: `fast:${name}`, sigma, tauHours };
}

function slow(name: string, sigma: number, tauHours: number): NoiseComponent {
  return { key: `slow:${name}`, sigma, tauHours };
}

export function createValueModel(
  station: StationProfile,
  options: { readonly timeZone: string; readonly random: SeededRandom },
): ValueModel {
  requireClimate(station.city);
  const components = new Map<string, number>();
  for (const metric of station.metrics)
    for (const c of NOISE[metric].components) components.set(c.key, c.tauHours);
  // Fixed draw order, so the sequence of random numbers depends only on the seed and the station.
  const keys = [...components.keys()].sort();
  const state = new Map<string, number>();
  let lastTs: number | undefined;

  const advance = (ts: number): void => {
    const dtHours =
      lastTs === undefined || ts <= lastTs ? Number.POSITIVE_INFINITY : (ts - lastTs) / 3_600_000;
    for (const key of keys) {
      const phi = Math.exp(-dtHours / (components.get(key) ?? 1));
      const previous = state.get(key) ?? 0;
      state.set(key, phi * previous + Math.sqrt(1 - phi * phi) * options.random.normal());
    }
    lastTs = ts;
  };

  return {
    valuesAt(ts) {
      advance(ts);
      const clock = localClock(ts, options.timeZone);
      const values: SimulatedValues = {};
      for (const metric of station.metrics) {
        const level = expectedLevel(station, metric, clock);
        values[metric] = finish(metric, applyNoise(NOISE[metric], level, state));
      }
      return values;
    },
  };
}

function applyNoise(spec: NoiseSpec, level: number, state: ReadonlyMap<string, number>): number {
  let sum = 0;
  let variance = 0;
  for (const c of spec.components) {
    sum += c.sigma * (state.get(c.key) ?? 0);
    variance += c.sigma * c.sigma;
  }
  // Subtracting half the variance keeps the mean of the log-normal equal to the level.
  return spec.kind === 'log' ? level * Math.exp(sum - variance / 2) : level + sum;
}

/** Clamps to the catalog's physical range and rounds as a sensor would report. */
function finish(metric: MetricId, value: number): number {
  const { min, max } = METRICS[metric];
  const decimals = metric === 'co' ? 2 : 1;
  const factor = 10 ** decimals;
  return Math.min(max, Math.max(min, Math.round(value * factor) / factor));
}
