import { z } from 'zod';
import type { MetricId } from '../metrics.ts';
import type { DecodeContext, PayloadDecoder } from '../payload-format.ts';
import type { DecodeResult, Problem } from '../reading.ts';
import type { UnitId } from '../units.ts';
import { finishDecode, MAX_MEASUREMENTS, type Measurement } from './measurement.ts';
import { parseJsonPayload } from './native-payload.ts';
import { formatPath, schemaProblems, show } from './payload-problems.ts';

/**
 * Sensor.Community airRohr firmware JSON, "custom API" push (opendata-stuttgart/sensors-software
 * airrohr-firmware.ino, ext_def.h):
 * `{"esp8266id": "…", "software_version": "NRZ-…", "sensordatavalues": [{"value_type", "value"}]}`.
 * The firmware defines values as strings ("12.30"), so this is the one format that coerces
 * strings to numbers (JSON numbers are accepted too). The payload has no time: readings get the
 * receive time and `timeSource: 'receive'`.
 *
 * Mapping (rows in priority order: when a station carries two sensors for one metric, e.g. an SDS011
 * and a PMS, the first listed wins and the other is ignored). Prefix-less types are the
 * Sensor.Community push form, where the firmware strips the sensor prefix (`SDS_P1` → `P1`).
 *
 * | value_type                                                                                  | metric      | unit  |
 * |---------------------------------------------------------------------------------------------|-------------|-------|
 * | SDS_P1, PMS_P1, HPM_P1, NPM_P1, SPS30_P1, P1                                                 | pm10        | µg/m³ |
 * | SDS_P2, PMS_P2, HPM_P2, NPM_P2, SPS30_P2, P2                                                 | pm25        | µg/m³ |
 * | BME280_temperature, SHT3X_temperature, HTU21D_temperature, temperature (DHT22), BMP280_temperature, BMP_temperature, DS18B20_temperature | temperature | °C |
 * | BME280_humidity, SHT3X_humidity, HTU21D_humidity, humidity (DHT22)                            | humidity    | %     |
 * | BME280_pressure, BMP280_pressure, BMP_pressure, pressure                                     | pressure    | Pa    |
 * | DNMS_noise_LAeq, noise_LAeq                                                                  | noise_laeq  | dB(A) |
 *
 * Every other type is ignored, not refused: housekeeping (`samples`, `min_micro`, `max_micro`,
 * `interval`, `signal`), GPS, PM1/PM4 and particle counts, LA_min/LA_max, CO2 (`SCD30_*`), and types
 * of sensors added to the firmware later.
 */
const VALUE_TYPES: ReadonlyArray<readonly [string, MetricId, UnitId]> = [
  ...['SDS_P1', 'PMS_P1', 'HPM_P1', 'NPM_P1', 'SPS30_P1', 'P1'].map((t) => [t, 'pm10', 'µg/m³'] as const),
  ...['SDS_P2', 'PMS_P2', 'HPM_P2', 'NPM_P2', 'SPS30_P2', 'P2'].map((t) => [t, 'pm25', 'µg/m³'] as const),
  ...[
    'BME280_temperature',
    'SHT3X_temperature',
    'HTU21D_temperature',
    'temperature',
    'BMP280_temperature',
    'BMP_temperature',
    'DS18B20_temperature',
  ].map((t) => [t, 'temperature', '°C'] as const),
  ...['BME280_humidity', 'SHT3X_humidity', 'HTU21D_humidity', 'humidity'].map(
    (t) => [t, 'humidity', '%'] as const,
  ),
  ...['BME280_pressure', 'BMP280_pressure', 'BMP_pressure', 'pressure'].map(
    (t) => [t, 'pressure', 'Pa'] as const,
  ),
  ...['DNMS_noise_LAeq', 'noise_LAeq'].map((t) => [t, 'noise_laeq', 'dB(A)'] as const),
];

const BY_TYPE: ReadonlyMap<string, { metric: MetricId; unit: UnitId; priority: number }> = new Map(
  VALUE_TYPES.map(([type, metric, unit], priority) => [type, { metric, unit, priority }]),
);

/** Sensor models named by value_type prefixes, reported as device metadata (`sensors`). */
const SENSOR_MODELS: ReadonlyMap<string, string> = new Map([
  ['SDS', 'SDS011'],
  ['PMS', 'PMS'],
  ['HPM', 'HPM'],
  ['NPM', 'NextPM'],
  ['SPS30', 'SPS30'],
  ['BME280', 'BME280'],
  ['BMP280', 'BMP280'],
  ['BMP', 'BMP180'],
  ['SHT3X', 'SHT3X'],
  ['HTU21D', 'HTU21D'],
  ['DS18B20', 'DS18B20'],
  ['DNMS', 'DNMS'],
  ['SCD30', 'SCD30'],
]);

export const airrohrPayloadSchema = z.object({
  esp8266id: z.union([z.string(), z.number()]).optional(),
  software_version: z.string().optional(),
  sensordatavalues: z
    .array(z.object({ value_type: z.string(), value: z.union([z.string(), z.number(), z.null()]) }))
    .min(1, 'sensordatavalues is empty: send at least one value')
    .max(MAX_MEASUREMENTS),
});

// The firmware prints decimals ("25.90", "-36", "100659.00"); nothing else is read as a number.
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

export function decodeAirrohrPayload(raw: Uint8Array, ctx: DecodeContext): DecodeResult {
  const json = parseJsonPayload(raw);
  if (!json.ok) return { ok: false, problems: [json.problem] };
  const parsed = airrohrPayloadSchema.safeParse(json.value);
  if (!parsed.success) return { ok: false, problems: schemaProblems(parsed.error) };
  const { sensordatavalues: entries, software_version, esp8266id } = parsed.data;
  const problems: Problem[] = [];
  const mapped: Array<Measurement & { priority: number }> = [];
  for (const [index, entry] of entries.entries()) {
    const target = BY_TYPE.get(entry.value_type);
    if (target === undefined) continue;
    const path = formatPath(['sensordatavalues', index, 'value']);
    const value = coerce(entry.value, path);
    if (typeof value !== 'number') problems.push(value);
    else mapped.push({ ...target, value, ts: ctx.receivedAt, timeSource: 'receive', path });
  }
  mapped.sort((a, b) => a.priority - b.priority);
  const types = entries.map((e) => show(e.value_type)).slice(0, 12);
  return finishDecode(mapped, problems, ctx, {
    duplicates: 'first-wins',
    nothingFound: `no sensordatavalues type maps to a catalog metric (types seen: ${types.join(', ')}); expected e.g. SDS_P1, SDS_P2, BME280_temperature`,
    meta: {
      firmware: software_version,
      chip_id: esp8266id === undefined ? undefined : String(esp8266id),
      sensors: sensorModels(entries.map((e) => e.value_type)),
    },
  });
}

function coerce(value: string | number | null, path: string): number | Problem {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && DECIMAL.test(value.trim())) return Number(value.trim());
  return {
    code: 'INGEST_INVALID_PAYLOAD',
    path,
    message: `expected a decimal number as a string (e.g. "12.30"), got ${show(value)}`,
  };
}

function sensorModels(types: readonly string[]): string | undefined {
  const models = new Set<string>();
  for (const type of types) {
    const model = SENSOR_MODELS.get(type.split('_')[0] ?? '');
    if (model !== undefined && type.includes('_')) models.add(model);
  }
  return models.size === 0 ? undefined : [...models].sort().join(',');
}

export const airrohrDecoder: PayloadDecoder = { format: 'airrohr', decode: decodeAirrohrPayload };
