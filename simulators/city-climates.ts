import type { MetricId } from '../domain/metrics.ts';
import type { SiteType } from './stations.ts';

/**
 * Typical levels and climate of each simulated city: estimates consistent with published
 * monitoring figures for Nice (AtmoSud) and Zhengzhou (Henan provincial platform), not official
 * annual means; entries with no published figure behind them say so. The simulator only has to look plausible: do not use these as statistics.
 */
export type PollutantId = Extract<MetricId, 'pm25' | 'pm10' | 'no2' | 'o3' | 'so2' | 'co'>;

export interface PollutantLevel {
  /** Geometric typical level in the canonical unit (µg/m³; CO mg/m³). */
  readonly level: number;
  /** Seasonal swing as a log amplitude: level × e^(±amplitude) at the peak and trough. */
  readonly seasonalAmplitude: number;
  /** Local day of year of the seasonal maximum. */
  readonly peakDay: number;
  /** Scales the daily cycle: 1 = the generic shape, >1 deeper (e.g. O3 near 0 on winter nights). */
  readonly diurnalDepth?: number;
}

export interface CityClimate {
  readonly pollutants: Readonly<Record<PollutantId, PollutantLevel>>;
  /** Spring dust: an extra multiplicative bump on PM10 around `peakDay`. */
  readonly dust?: { readonly peakDay: number; readonly widthDays: number; readonly extra: number };
  /** Urban background LAeq, dB(A), by day and by night. */
  readonly noise: { readonly day: number; readonly night: number };
  readonly temperature: {
    readonly annualMean: number;
    readonly seasonalAmplitude: number;
    readonly warmestDay: number;
    /** Typical daily max minus min, °C. */
    readonly dailyRange: number;
  };
  readonly humidity: {
    readonly annualMean: number;
    readonly seasonalAmplitude: number;
    readonly wettestDay: number;
    /** Half the daily swing; humidity is lowest in the early afternoon. */
    readonly dailyAmplitude: number;
  };
  /** Station pressure, hPa. No published figure used: rough climatology by altitude. */
  readonly pressure: {
    readonly mean: number;
    readonly seasonalAmplitude: number;
    readonly highestDay: number;
  };
}

const NICE: CityClimate = {
  pollutants: {
    // Arson: PM2.5 annual ~9-12, winter evening peaks; PM10 ~18-24; NO2 ~22-30 with "saisonnalité
    // pas très marquée" (tourism all year); O3 ~55-65, summer afternoons 100-160 (§5.1).
    pm25: { level: 10, seasonalAmplitude: 0.2, peakDay: 15 },
    pm10: { level: 20, seasonalAmplitude: 0.1, peakDay: 15 },
    no2: { level: 25, seasonalAmplitude: 0.12, peakDay: 15 },
    o3: { level: 58, seasonalAmplitude: 0.3, peakDay: 190 },
    // SO2 and CO levels for Nice have no published figure behind them: low coastal-city values.
    so2: { level: 3, seasonalAmplitude: 0.1, peakDay: 15 },
    co: { level: 0.3, seasonalAmplitude: 0.2, peakDay: 15 },
  },
  // Noise: background 55-62 dB(A) by day, 45-52 by night (§5.1).
  noise: { day: 58.5, night: 48.5 },
  // Airport normals 1971-2000: Jan mean 9.1 (5-13), Aug mean 23.6 (20-27), annual 15.6 (§5.1).
  temperature: { annualMean: 15.6, seasonalAmplitude: 7.3, warmestDay: 218, dailyRange: 7.5 },
  // RH ~60-75 %, minimum early afternoon (estimate, no source found); wetter Oct-Nov.
  humidity: { annualMean: 68, seasonalAmplitude: 4, wettestDay: 300, dailyAmplitude: 8 },
  pressure: { mean: 1015, seasonalAmplitude: 2, highestDay: 15 },
};

const ZHENGZHOU: CityClimate = {
  pollutants: {
    // PM2.5 ~40-45 annual; Dec-Jan means 70-80, summer ~20-25 (§5.2).
    pm25: { level: 40, seasonalAmplitude: 0.6, peakDay: 15 },
    // PM10 ~70-80 annual with spring dust (the dust bump below) and the same winter peak.
    pm10: { level: 68, seasonalAmplitude: 0.35, peakDay: 15 },
    // NO2 ~29-35, highest in winter.
    no2: { level: 31, seasonalAmplitude: 0.25, peakDay: 15 },
    // O3 May-Sep (co-pollution May-June), peak 14-16 CST, near 0 on winter nights.
    o3: { level: 52, seasonalAmplitude: 0.7, peakDay: 165, diurnalDepth: 1.3 },
    // SO2 ~7-10 with a weak heating-season peak; CO 95th pct ~1.1-1.4 mg/m³, winter nights.
    so2: { level: 8, seasonalAmplitude: 0.3, peakDay: 15 },
    co: { level: 0.75, seasonalAmplitude: 0.35, peakDay: 15 },
  },
  // "March 2016: PM10 was primary pollutant on 24 days (dust / construction)" (§5.2).
  dust: { peakDay: 85, widthDays: 20, extra: 0.5 },
  // Class 4a road limits 70 day / 55 night, typical 60-72 by day on roads, quietest 02-05 CST;
  // the background level is our assumption, roads get the traffic offset.
  noise: { day: 58, night: 47 },
  // Annual ~14.4-15.6, Jan ~0.2, Jul ~27.3 (low-quality sources, §5.2); daily range assumed.
  temperature: { annualMean: 14.2, seasonalAmplitude: 13.3, warmestDay: 200, dailyRange: 9 },
  // Summer >70 %, winter ~40-60 % (estimate).
  humidity: { annualMean: 60, seasonalAmplitude: 15, wettestDay: 205, dailyAmplitude: 10 },
  // About 110 m above sea level, continental winter high (estimate, no source).
  pressure: { mean: 1001, seasonalAmplitude: 10, highestDay: 15 },
};

const CLIMATES: Readonly<Record<string, CityClimate>> = Object.freeze({ nice: NICE, zhengzhou: ZHENGZHOU });

export function climateOf(cityId: string): CityClimate | undefined {
  return CLIMATES[cityId];
}

export interface SiteOffsets {
  /** Multiplies the city level of each pollutant. */
  readonly factors: Partial<Record<PollutantId, number>>;
  /** Added to the background LAeq, dB. */
  readonly noiseDb: number;
}

/**
 * How a site's surroundings shift it from the urban background. Traffic factors are fitted to
 * Nice (§5.1): PM2.5 +2-4 and PM10 +5-10 µg/m³, NO2 ~35-45 against ~22-30, lower O3 (titration),
 * noise 68-75 / 58-65 against 55-62 / 45-52 dB(A). The other types are simulation assumptions.
 */
export const SITE_OFFSETS: Readonly<Record<SiteType, SiteOffsets>> = Object.freeze({
  urban_background: { factors: {}, noiseDb: 0 },
  peri_urban_background: { factors: { pm25: 0.9, pm10: 0.9, no2: 0.7, co: 0.8, o3: 1.1 }, noiseDb: -5 },
  rural_background: {
    factors: { pm25: 0.75, pm10: 0.75, no2: 0.3, so2: 0.7, co: 0.6, o3: 1.25 },
    noiseDb: -15,
  },
  traffic: { factors: { pm25: 1.3, pm10: 1.35, no2: 1.55, co: 1.4, o3: 0.75 }, noiseDb: 13 },
  industrial: { factors: { pm25: 1.15, pm10: 1.4, so2: 2.2, no2: 1.1, co: 1.2 }, noiseDb: 4 },
  airport: { factors: { pm25: 1.05, pm10: 1.1, no2: 1.3, co: 1.2, o3: 0.9 }, noiseDb: 8 },
});
