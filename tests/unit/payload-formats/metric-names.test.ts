import { describe, expect, it } from 'vitest';
import { metricForAlias } from '../../../domain/payload-formats/metric-aliases.ts';
import { metricForKey } from '../../../domain/payload-formats/ttn-payload.ts';

describe('metric names devices choose', () => {
  it.each([
    ['pm25', 'pm25'],
    ['PM2.5', 'pm25'],
    ['pm2_5', 'pm25'],
    ['pm2p5', 'pm25'],
    ['NO2', 'no2'],
    ['Temp', 'temperature'],
    ['relative_humidity', 'humidity'],
    ['RH', 'humidity'],
    ['barometric-pressure', 'pressure'],
    ['LAeq', 'noise_laeq'],
  ])('reads %s as %s', (name, metric) => {
    expect(metricForAlias(name)).toBe(metric);
  });

  it.each(['co2', 'no', 'nox', 'pm1', 'pm4', 'tsp', 'voltage', 'constructor', '__proto__', 'toString', ''])(
    'does not mistake %j for a catalog metric',
    (name) => {
      expect(metricForAlias(name)).toBeUndefined();
    },
  );
});

describe('TTN decoded_payload keys', () => {
  it.each([
    ['pm25', 'pm25', 'µg/m³'],
    ['pm2_5', 'pm25', 'µg/m³'],
    ['no2_ppb', 'no2', 'ppb'],
    ['O3_PPB', 'o3', 'ppb'],
    ['co_ppm', 'co', 'ppm'],
    ['co_mg_m3', 'co', 'mg/m³'],
    ['pm10_ug_m3', 'pm10', 'µg/m³'],
    ['temperature_f', 'temperature', '°F'],
    ['temp_k', 'temperature', 'K'],
    ['pressure_pa', 'pressure', 'Pa'],
    ['relative_humidity_pct', 'humidity', '%'],
    ['temperature_1', 'temperature', '°C'],
    ['relative_humidity_2', 'humidity', '%'],
    ['barometric_pressure_3', 'pressure', 'hPa'],
  ])('reads %s as %s in %s', (key, metric, unit) => {
    expect(metricForKey(key)).toEqual({ metric, unit });
  });

  it.each([
    'luminosity',
    'analog_in_4',
    'pm25_furlongs',
    'co2_ppm',
    'battery',
    'constructor',
    `pm25_${'x'.repeat(100)}`,
  ])('ignores %s', (key) => {
    expect(metricForKey(key)).toBeUndefined();
  });
});
