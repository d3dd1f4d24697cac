import { z } from 'zod';
import type { MetricId } from '../metrics.ts';
import type { DecodeContext, PayloadDecoder } from '../payload-format.ts';
import type { DecodeResult, Problem, TimeSource } from '../reading.ts';
import { parseInstantOrIntervalEnd } from '../timestamps.ts';
import type { UnitId } from '../units.ts';
import { measurandUnits, readAttribute, readDate, unitForCode } from './fiware-attribute.ts';
import { finishDecode, MAX_MEASUREMENTS, type Measurement } from './measurement.ts';
import { parseJsonPayload } from './native-payload.ts';
import { formatPath, isProblem, schemaProblems, show } from './payload-problems.ts';

/**
 * FIWARE Smart Data Models AirQualityObserved and NoiseLevelObserved entities
 * (smart-data-models/dataModel.Environment), as one
 * entity, an array of entities, or an NGSI notification `{"data": [entities]}`; key-values or
 * normalized attributes (see fiware-attribute.ts).
 *
 * | attribute (entity type)                    | metric      | unit without unitCode |
 * |--------------------------------------------|-------------|-----------------------|
 * | pm25, PM25 (AQO)                           | pm25        | µg/m³                 |
 * | pm10, PM10 (AQO)                           | pm10        | µg/m³                 |
 * | no2, NO2 / o3, O3 / so2, SO2 (AQO)         | no2/o3/so2  | µg/m³                 |
 * | co, CO (AQO)                               | co          | mg/m³                 |
 * | temperature (AQO)                          | temperature | °C                    |
 * | relativeHumidity (AQO)                     | humidity    | fraction 0..1 (schema) → % |
 * | pressure, atmosphericPressure (AQO)        | pressure    | hPa                   |
 * | LAeq (NLO)                                 | noise_laeq  | dB(A)                 |
 *
 * Lower-case names are the current schema, upper-case the older spec and its NGSI-LD example. The
 * schema does not fix pollutant units: a unitCode (attribute, v2 metadata, or the key-values
 * `measurand` list) decides; without one, values are taken in the EU reporting units (µg/m³, CO in
 * mg/m³), which are our canonical units. Other attributes (no, nox, co2, LAmax, airQualityIndex…)
 * are ignored.
 *
 * Time: an attribute's own observedAt / metadata.timestamp, else the entity's `dateObserved`
 * (NoiseLevelObserved: `dateObservedTo`, then `dateObserved`). An interval "start/end" stands for
 * its end. Local times without offset are refused (the published examples use them: they name no
 * zone). No time at all: receive time and the flag.
 */
const ATTRIBUTES: ReadonlyMap<string, { metric: MetricId; unit: UnitId }> = new Map(
  (
    [
      [['pm25', 'PM25'], 'pm25', 'µg/m³'],
      [['pm10', 'PM10'], 'pm10', 'µg/m³'],
      [['no2', 'NO2'], 'no2', 'µg/m³'],
      [['o3', 'O3'], 'o3', 'µg/m³'],
      [['so2', 'SO2'], 'so2', 'µg/m³'],
      [['co', 'CO'], 'co', 'mg/m³'],
      [['temperature'], 'temperature', '°C'],
      [['relativeHumidity'], 'humidity', 'fraction'],
      [['pressure', 'atmosphericPressure'], 'pressure', 'hPa'],
      [['LAeq'], 'noise_laeq', 'dB(A)'],
    ] as const
  ).flatMap(([names, metric, unit]) => names.map((name) => [name, { metric, unit }] as const)),
);

const ENTITY_TYPES = ['AirQualityObserved', 'NoiseLevelObserved'] as const;
type EntityType = (typeof ENTITY_TYPES)[number];

const entitySchema = z.looseObject({ type: z.string(), id: z.string().optional() });
const entityListSchema = z.array(z.unknown()).min(1).max(MAX_MEASUREMENTS);
const notificationSchema = z.looseObject({ type: z.literal('Notification'), data: entityListSchema });

export function decodeFiwarePayload(raw: Uint8Array, ctx: DecodeContext): DecodeResult {
  const json = parseJsonPayload(raw);
  if (!json.ok) return { ok: false, problems: [json.problem] };
  const body = entitiesOf(json.value);
  if (!body.ok) return { ok: false, problems: body.problems };
  const problems: Problem[] = [];
  const measurements: Measurement[] = [];
  const meta: Record<string, string> = {};
  const seen: string[] = [];
  for (const [index, entity] of body.entities.entries()) {
    const at = body.prefix === undefined ? [] : [...body.prefix, index];
    decodeEntity(entity, at, ctx.receivedAt, { problems, measurements, meta, seen });
  }
  return finishDecode(measurements, problems, ctx, {
    duplicates: 'reject',
    nothingFound: `no attribute maps to a catalog metric (attributes seen: ${[...new Set(seen)].slice(0, 12).join(', ')}); expected e.g. pm25, no2, LAeq`,
    meta,
  });
}

/** One entity, an array of entities, or an NGSI notification `{"type": "Notification", "data": [...]}`. */
function entitiesOf(
  body: unknown,
): { ok: true; entities: unknown[]; prefix: PropertyKey[] | undefined } | { ok: false; problems: Problem[] } {
  if (Array.isArray(body)) {
    const list = entityListSchema.safeParse(body);
    return list.success
      ? { ok: true, entities: list.data, prefix: [] }
      : { ok: false, problems: schemaProblems(list.error) };
  }
  if (typeof body !== 'object' || body === null) {
    return {
      ok: false,
      problems: [
        {
          code: 'INGEST_INVALID_PAYLOAD',
          path: '(root)',
          message: `expected an NGSI entity object, an array of entities or a notification, got ${show(body)}`,
        },
      ],
    };
  }
  if ((body as { type?: unknown }).type !== 'Notification')
    return { ok: true, entities: [body], prefix: undefined };
  const notification = notificationSchema.safeParse(body);
  return notification.success
    ? { ok: true, entities: notification.data.data, prefix: ['data'] }
    : { ok: false, problems: schemaProblems(notification.error) };
}

interface Sink {
  problems: Problem[];
  measurements: Measurement[];
  meta: Record<string, string>;
  seen: string[];
}

function decodeEntity(raw: unknown, at: PropertyKey[], receivedAt: number, sink: Sink): void {
  const parsed = entitySchema.safeParse(raw);
  if (!parsed.success) return void sink.problems.push(...schemaProblems(parsed.error, at));
  const entity = parsed.data as Record<string, unknown> & { type: string };
  const type = entityType(entity.type);
  if (type === undefined) {
    sink.problems.push({
      code: 'INGEST_INVALID_PAYLOAD',
      path: formatPath([...at, 'type']),
      message: `entity type ${show(entity.type)} is not one of ${ENTITY_TYPES.join(', ')}`,
    });
    return;
  }
  const time = entityTime(entity, type, at, receivedAt);
  if (isProblem(time)) return void sink.problems.push(time);
  if (typeof entity.sonometerClass === 'string') sink.meta.sonometer_class = entity.sonometerClass;
  const measurandUnit = measurandUnits(entity.measurand);
  for (const [name, value] of Object.entries(entity)) {
    sink.seen.push(show(name));
    const target = ATTRIBUTES.get(name);
    if (target === undefined) continue;
    const m = attributeMeasurement(value, target, measurandUnit.get(name), formatPath([...at, name]), time);
    if (isProblem(m)) sink.problems.push(m);
    else sink.measurements.push(m);
  }
}

function attributeMeasurement(
  raw: unknown,
  target: { metric: MetricId; unit: UnitId },
  measurandCode: string | undefined,
  path: string,
  entityTs: { ts: number; timeSource: TimeSource },
): Measurement | Problem {
  const attr = readAttribute(raw, path);
  if (isProblem(attr)) return attr;
  const code = attr.unitCode ?? measurandCode;
  const unit = code === undefined ? target.unit : unitForCode(code, `${path}.unitCode`);
  if (isProblem(unit)) return unit;
  let time = entityTs;
  if (attr.observedAt !== undefined) {
    const ts = parseInstantOrIntervalEnd(attr.observedAt, `${path}.observedAt`);
    if (isProblem(ts)) return ts;
    time = { ts, timeSource: 'device' };
  }
  return { metric: target.metric, value: attr.value, unit, ...time, path };
}

function entityTime(
  entity: Record<string, unknown>,
  type: EntityType,
  at: PropertyKey[],
  receivedAt: number,
): { ts: number; timeSource: TimeSource } | Problem {
  const fields = type === 'NoiseLevelObserved' ? ['dateObservedTo', 'dateObserved'] : ['dateObserved'];
  for (const field of fields) {
    const path = formatPath([...at, field]);
    const text = readDate(entity[field], path);
    if (text === undefined) continue;
    if (isProblem(text)) return text;
    const ts = parseInstantOrIntervalEnd(text, path);
    return isProblem(ts) ? ts : { ts, timeSource: 'device' };
  }
  return { ts: receivedAt, timeSource: 'receive' };
}

// NGSI-LD may expand the type to its full IRI (https://smartdatamodels.org/dataModel.Environment/AirQualityObserved).
function entityType(type: string): EntityType | undefined {
  const short = type.split(/[/#]/).at(-1);
  return ENTITY_TYPES.find((t) => t === short);
}

export const fiwareDecoder: PayloadDecoder = { format: 'fiware', decode: decodeFiwarePayload };
