import type { MetricId } from '../metrics.ts';

/**
 * Field names devices commonly use for our metrics, shared by the formats whose names are chosen
 * by the device maker (SenML record names, TTN payload-formatter keys). Matching ignores case and
 * the separators `.`, `_`, `-` and spaces, so `PM2.5`, `pm2_5` and `pm25` are one name; `co2` and
 * `no` stay distinct from `co` and `no2`.
 *
 * | metric      | names                                                                  |
 * |-------------|------------------------------------------------------------------------|
 * | pm25        | pm25, pm2.5, pm2_5, pm2p5                                              |
 * | pm10        | pm10                                                                   |
 * | no2/o3/so2  | no2, o3, so2                                                           |
 * | co          | co                                                                     |
 * | temperature | temperature, temp, air_temperature                                     |
 * | humidity    | humidity, hum, rh, relative_humidity                                   |
 * | pressure    | pressure, press, barometric_pressure, air_pressure                     |
 * | noise_laeq  | noise_laeq, laeq, noise, sound_level                                   |
 */
const ALIASES: Readonly<Record<MetricId, readonly string[]>> = {
  pm25: ['pm25', 'pm2p5'],
  pm10: ['pm10'],
  no2: ['no2'],
  o3: ['o3'],
  so2: ['so2'],
  co: ['co'],
  temperature: ['temperature', 'temp', 'airtemperature'],
  humidity: ['humidity', 'hum', 'rh', 'relativehumidity'],
  pressure: ['pressure', 'press', 'barometricpressure', 'airpressure'],
  noise_laeq: ['noiselaeq', 'laeq', 'noise', 'soundlevel'],
};

const BY_ALIAS: ReadonlyMap<string, MetricId> = new Map(
  Object.entries(ALIASES).flatMap(([metric, names]) =>
    names.map((name) => [name, metric as MetricId] as const),
  ),
);

export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[._\-\s]/g, '');
}

/** The catalog metric a device-chosen field name stands for, if any. */
export function metricForAlias(name: string): MetricId | undefined {
  return BY_ALIAS.get(normaliseName(name));
}
