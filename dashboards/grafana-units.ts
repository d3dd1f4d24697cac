import * as units from '@grafana/grafana-foundation-sdk/units';
import type { MetricId } from '../domain/metrics.ts';

/** Grafana's unit id for each metric's canonical unit (domain/metrics.ts). */
export const GRAFANA_UNITS: Readonly<Record<MetricId, string>> = Object.freeze({
  pm25: units.MicrogramPerCubicMeter,
  pm10: units.MicrogramPerCubicMeter,
  no2: units.MicrogramPerCubicMeter,
  o3: units.MicrogramPerCubicMeter,
  so2: units.MicrogramPerCubicMeter,
  co: units.MilligramPerCubicMeter,
  noise_laeq: units.Decibel,
  temperature: units.Celsius,
  humidity: units.Humidity,
  pressure: units.Hectopascals,
});
