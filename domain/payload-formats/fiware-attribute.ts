import type { Problem } from '../reading.ts';
import type { UnitId } from '../units.ts';
import { expectNumber, show, unknownUnitProblem } from './payload-problems.ts';

/**
 * One FIWARE attribute in any of its three representations:
 * - key-values: `"no2": 69`;
 * - NGSI-LD normalized: `"NO2": {"type": "Property", "value": 69, "unitCode": "GQ", "observedAt": "…"}`;
 * - NGSI-v2 normalized: `"NO2": {"value": 69, "metadata": {"unitCode": {"value": "GQ"}, "timestamp": {"value": "…"}}}`.
 */
export interface FiwareAttribute {
  readonly value: number;
  /** UN/CEFACT common code, when the attribute carries one. */
  readonly unitCode: string | undefined;
  /** Per-attribute observation time (LD `observedAt`, v2 `metadata.timestamp`), when given. */
  readonly observedAt: string | undefined;
}

/**
 * UN/CEFACT Recommendation 20 common codes (the Smart Data Models' `unitCode`, max 3 chars;
 * GQ and GP are from the AirQualityObserved spec, the rest from Rec 20 itself):
 *
 * | code | unit  |   | code | unit     |
 * |------|-------|---|------|----------|
 * | GQ   | µg/m³ |   | P1   | %        |
 * | GP   | mg/m³ |   | C62  | fraction ("one") |
 * | 59   | ppm   |   | PAL  | Pa       |
 * | 61   | ppb   |   | A97  | hPa      |
 * | CEL  | °C    |   | KPA  | kPa      |
 * | FAH  | °F    |   | MBR  | hPa (millibar) |
 * | KEL  | K     |   | 2N   | dB(A): decibel, A-weighted by the attribute (LAeq) |
 */
export const UNIT_CODES: ReadonlyMap<string, UnitId> = new Map([
  ['GQ', 'µg/m³'],
  ['GP', 'mg/m³'],
  ['59', 'ppm'],
  ['61', 'ppb'],
  ['CEL', '°C'],
  ['FAH', '°F'],
  ['KEL', 'K'],
  ['P1', '%'],
  ['C62', 'fraction'],
  ['PAL', 'Pa'],
  ['A97', 'hPa'],
  ['KPA', 'kPa'],
  ['MBR', 'hPa'],
  ['2N', 'dB(A)'],
]);

export function unitForCode(code: string, path: string): UnitId | Problem {
  return UNIT_CODES.get(code) ?? unknownUnitProblem(code, path, [...UNIT_CODES.keys()]);
}

/** Reads one attribute; a string or other non-number value is schema drift and refused. */
export function readAttribute(raw: unknown, path: string): FiwareAttribute | Problem {
  if (Array.isArray(raw)) {
    return {
      code: 'INGEST_INVALID_PAYLOAD',
      path,
      message: 'multi-attribute values (several instances by datasetId) are not supported; send one value',
    };
  }
  if (typeof raw !== 'object' || raw === null) {
    const value = expectNumber(raw, path);
    return typeof value === 'number' ? { value, unitCode: undefined, observedAt: undefined } : value;
  }
  const attr = raw as Record<string, unknown>;
  const value = expectNumber(attr.value, `${path}.value`);
  if (typeof value !== 'number') return value;
  const metadata = asRecord(attr.metadata);
  const unitCode = attr.unitCode ?? asRecord(metadata?.unitCode)?.value;
  const observedAt = attr.observedAt ?? asRecord(metadata?.timestamp)?.value;
  if (unitCode !== undefined && typeof unitCode !== 'string') {
    return {
      code: 'INGEST_INVALID_PAYLOAD',
      path: `${path}.unitCode`,
      message: `expected a UN/CEFACT code string, got ${show(unitCode)}`,
    };
  }
  if (observedAt !== undefined && typeof observedAt !== 'string') {
    return {
      code: 'INGEST_INVALID_PAYLOAD',
      path: `${path}.observedAt`,
      message: `expected an RFC 3339 string, got ${show(observedAt)}`,
    };
  }
  return { value, unitCode, observedAt };
}

/**
 * A date attribute's text: a plain string, `{"value": "…"}`, or the JSON-LD typed form
 * `{"@type": "DateTime", "@value": "…"}` (bare or as a Property's value). Undefined when absent.
 */
export function readDate(raw: unknown, path: string): string | undefined | Problem {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') return raw;
  const record = asRecord(raw);
  const inner = record?.value ?? record?.['@value'];
  const text = typeof inner === 'string' ? inner : asRecord(inner)?.['@value'];
  if (typeof text === 'string') return text;
  return { code: 'INGEST_BAD_TIMESTAMP', path, message: `expected a date-time string, got ${show(raw)}` };
}

/**
 * Units named by a key-values entity's `measurand` list, as the Smart Data Models' Madrid instance
 * publishes it: `"measurand": ["NO2,8.0,GQ,Nitrogen Dioxide", …]` (name, value, unit code, description).
 */
export function measurandUnits(raw: unknown): ReadonlyMap<string, string> {
  const units = new Map<string, string>();
  if (!Array.isArray(raw)) return units;
  for (const entry of raw) {
    if (typeof entry !== 'string') continue;
    const [name, , code] = entry.split(',').map((part) => part.trim());
    if (name && code) units.set(name, code);
  }
  return units;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
