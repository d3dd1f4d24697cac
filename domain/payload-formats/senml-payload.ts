import { z } from 'zod';
import type { MetricId } from '../metrics.ts';
import type { DecodeContext, PayloadDecoder } from '../payload-format.ts';
import type { DecodeResult, Problem } from '../reading.ts';
import { canonicalUnit, type UnitId } from '../units.ts';
import { finishDecode, MAX_MEASUREMENTS, type Measurement } from './measurement.ts';
import { metricForAlias } from './metric-aliases.ts';
import { parseJsonPayload } from './native-payload.ts';
import { formatPath, schemaProblems, show, unknownUnitProblem } from './payload-problems.ts';
import { type ResolvedRecord, resolveSenmlPack, senmlTimeToMs } from './senml-resolver.ts';

/**
 * SenML JSON packs (RFC 8428). A record becomes a reading when its resolved name ends in a metric
 * name (the part after the last ":" or "/", so `urn:dev:ow:10e2073a01080063:temp` and
 * `dev/org/esp32/sht/temperature` both work; names as in metric-aliases.ts), or, failing that,
 * when its unit can only mean one metric (Cel → temperature, %RH → humidity: RFC 8428's own
 * examples name the sensor, not the quantity). LwM2M/IPSO paths `3303/<i>/5700` (Temperature) and
 * `3304/<i>/5700` (Humidity) are understood too. Other records (voltage, position, battery, string
 * values…) are ignored. The topic names the device: a pack describing two devices' temperature at
 * one time is refused as a duplicate.
 *
 * Units (IANA "SenML Units" and "Secondary Units" registries, RFC 8428 §12.1 and RFC 8798):
 *
 * | SenML | ours  | registry                                                          |
 * |-------|-------|-------------------------------------------------------------------|
 * | ug/m3 | µg/m³ | secondary unit, RFC 8798                                          |
 * | kg/m3 | kg/m³ | primary unit, RFC 8798                                            |
 * | mg/m3 | mg/m³ | NOT registered; accepted because CO is reported in mg/m³ (EU, CN) |
 * | ppm   | ppm   | secondary unit, RFC 8798                                          |
 * | ppb   | ppb   | secondary unit registered after RFC 8798 (IANA; RIOT senml.h)     |
 * | Cel   | °C    | RFC 8428                                                          |
 * | K     | K     | RFC 8428                                                          |
 * | %RH   | %     | RFC 8428                                                          |
 * | %     | %     | RFC 8428 (not recommended, still in use)                          |
 * | /     | fraction | RFC 8428 (ratio)                                               |
 * | /100  | %     | secondary unit, RFC 8798                                          |
 * | Pa    | Pa    | RFC 8428                                                          |
 * | hPa   | hPa   | secondary unit, RFC 8798                                          |
 * | dB    | dB(A) | RFC 8428 "dB": only for noise, where the A-weighting is in the metric (LAeq) |
 * | dBA   | dB(A) | NOT registered; common spelling                                   |
 *
 * A record without u or bu is in its metric's canonical unit. `Bspl` (unweighted sound pressure
 * level in bels) and any other unit are refused. Times follow RFC 8428 §4.5.3: a resolved time of
 * 2^28 s or more is absolute; a smaller one (including the default 0, "now") is relative to the
 * receive time, and the reading is flagged `timeSource: 'receive'`.
 */
// Maps, not object literals: a unit such as "constructor" must not find Object.prototype members.
const SENML_UNITS: ReadonlyMap<string, UnitId> = new Map([
  ['ug/m3', 'µg/m³'],
  ['kg/m3', 'kg/m³'],
  ['mg/m3', 'mg/m³'],
  ['ppm', 'ppm'],
  ['ppb', 'ppb'],
  ['Cel', '°C'],
  ['K', 'K'],
  ['%RH', '%'],
  ['%', '%'],
  ['/', 'fraction'],
  ['/100', '%'],
  ['Pa', 'Pa'],
  ['hPa', 'hPa'],
  ['dB', 'dB(A)'],
  ['dBA', 'dB(A)'],
]);

const METRIC_BY_UNIT: ReadonlyMap<string, MetricId> = new Map([
  ['Cel', 'temperature'],
  ['%RH', 'humidity'],
]);

const IPSO_PATH = /(?:^|\/)(3303|3304)\/\d+\/5700$/;
const IPSO_OBJECTS: ReadonlyMap<string, MetricId> = new Map([
  ['3303', 'temperature'],
  ['3304', 'humidity'],
]);

const senmlPackSchema = z
  .array(z.unknown())
  .min(1, 'a SenML pack holds at least one record')
  .max(MAX_MEASUREMENTS, `at most ${MAX_MEASUREMENTS} records per message`);

export function decodeSenmlPayload(raw: Uint8Array, ctx: DecodeContext): DecodeResult {
  const json = parseJsonPayload(raw);
  if (!json.ok) return { ok: false, problems: [json.problem] };
  const pack = senmlPackSchema.safeParse(json.value);
  if (!pack.success) {
    const problems = schemaProblems(pack.error);
    return {
      ok: false,
      problems: problems.map((p) => ({
        ...p,
        message: `${p.message} (a SenML pack is a JSON array of records)`,
      })),
    };
  }
  const { records, problems } = resolveSenmlPack(pack.data);
  const measurements: Measurement[] = [];
  for (const record of records) {
    const m = toMeasurement(record, ctx.receivedAt);
    if (m === undefined) continue;
    if ('code' in m) problems.push(m);
    else measurements.push(m);
  }
  const names = [...new Set(records.map((r) => r.name))]
    .slice(0, 8)
    .map((n) => show(n))
    .join(', ');
  return finishDecode(measurements, problems, ctx, {
    duplicates: 'reject',
    nothingFound: `no SenML record names a catalog metric (names seen: ${names}); name records e.g. "pm25", "no2", "temperature", or use unit Cel / %RH`,
  });
}

function toMeasurement(record: ResolvedRecord, receivedAt: number): Measurement | Problem | undefined {
  const metric = metricOf(record);
  if (metric === undefined) return undefined;
  const path = formatPath([record.index, 'v']);
  if (record.value === undefined) {
    return {
      code: 'INGEST_INVALID_PAYLOAD',
      path: formatPath([record.index]),
      message: `record ${show(record.name)} is ${metric} but carries no numeric value v`,
    };
  }
  const unit = record.unit === undefined ? canonicalUnit(metric) : SENML_UNITS.get(record.unit);
  if (unit === undefined) {
    return unknownUnitProblem(record.unit ?? '', formatPath([record.index, 'u']), [...SENML_UNITS.keys()]);
  }
  return { metric, value: record.value, unit, ...senmlTimeToMs(record.time, receivedAt), path };
}

function metricOf(record: ResolvedRecord): MetricId | undefined {
  const ipso = IPSO_PATH.exec(record.name)?.[1];
  if (ipso !== undefined) return IPSO_OBJECTS.get(ipso);
  const local =
    record.name
      .split(/[:/]/)
      .filter((part) => part !== '')
      .at(-1) ?? '';
  return metricForAlias(local) ?? (record.unit === undefined ? undefined : METRIC_BY_UNIT.get(record.unit));
}

export const senmlDecoder: PayloadDecoder = { format: 'senml', decode: decodeSenmlPayload };
