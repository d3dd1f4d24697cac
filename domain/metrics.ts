/**
 * The metric catalog: every quantity the system stores, with its canonical unit and the range a
 * real measurement can physically take. Values outside the range are sensor faults, not weather,
 * and are rejected at ingest. Ranges are deliberately wide: they catch broken sensors and unit
 * mix-ups (e.g. Pa sent as hPa), not unusual pollution episodes.
 */
export const METRIC_IDS = [
  'pm25',
  'pm10',
  'no2',
  'o3',
  'so2',
  'co',
  'noise_laeq',
  'temperature',
  'humidity',
  'pressure',
] as const;

export type MetricId = (typeof METRIC_IDS)[number];

export type MetricKind = 'air_quality' | 'noise' | 'weather';

export interface MetricDefinition {
  readonly id: MetricId;
  readonly displayName: string;
  readonly unit: string;
  readonly kind: MetricKind;
  /** Inclusive physically possible range, in the canonical unit. */
  readonly min: number;
  readonly max: number;
}

export const METRICS: Readonly<Record<MetricId, MetricDefinition>> = Object.freeze({
  // Optical PM sensors saturate near 1000 µg/m³; dust storms have reached a few thousand for PM10.
  pm25: { id: 'pm25', displayName: 'PM2.5', unit: 'µg/m³', kind: 'air_quality', min: 0, max: 2000 },
  pm10: { id: 'pm10', displayName: 'PM10', unit: 'µg/m³', kind: 'air_quality', min: 0, max: 6000 },
  no2: {
    id: 'no2',
    displayName: 'Nitrogen dioxide (NO₂)',
    unit: 'µg/m³',
    kind: 'air_quality',
    min: 0,
    max: 4000,
  },
  // HJ 633 defines O3 1-hour breakpoints up to 1200 µg/m³; allow headroom for instrument spikes.
  o3: { id: 'o3', displayName: 'Ozone (O₃)', unit: 'µg/m³', kind: 'air_quality', min: 0, max: 2000 },
  // HJ 633 SO2 24-hour breakpoints reach 2620 µg/m³; industrial plumes can exceed that.
  so2: {
    id: 'so2',
    displayName: 'Sulphur dioxide (SO₂)',
    unit: 'µg/m³',
    kind: 'air_quality',
    min: 0,
    max: 10000,
  },
  // CO is conventionally reported in mg/m³ (EU and China alike).
  co: { id: 'co', displayName: 'Carbon monoxide (CO)', unit: 'mg/m³', kind: 'air_quality', min: 0, max: 500 },
  noise_laeq: {
    id: 'noise_laeq',
    displayName: 'Noise level LAeq',
    unit: 'dB(A)',
    kind: 'noise',
    min: 0,
    max: 160,
  },
  // Earth's recorded extremes are -89.2 °C and 56.7 °C.
  temperature: {
    id: 'temperature',
    displayName: 'Air temperature',
    unit: '°C',
    kind: 'weather',
    min: -90,
    max: 60,
  },
  humidity: {
    id: 'humidity',
    displayName: 'Relative humidity',
    unit: '%',
    kind: 'weather',
    min: 0,
    max: 100,
  },
  // Station pressure: sea-level records are 870-1084 hPa; sensors at altitude read lower.
  pressure: {
    id: 'pressure',
    displayName: 'Atmospheric pressure',
    unit: 'hPa',
    kind: 'weather',
    min: 300,
    max: 1100,
  },
});

const metricIdSet: ReadonlySet<string> = new Set(METRIC_IDS);

export function isMetricId(value: string): value is MetricId {
  return metricIdSet.has(value);
}

export function isPhysicallyPossible(metric: MetricId, value: number): boolean {
  const def = METRICS[metric];
  return Number.isFinite(value) && value >= def.min && value <= def.max;
}
