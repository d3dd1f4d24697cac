import { z } from 'zod';
import type { MetricId } from '../metrics.ts';
import type { DecodeContext, PayloadDecoder } from '../payload-format.ts';
import type { DecodeResult, Problem, TimeSource } from '../reading.ts';
import { parseTimestamp } from '../timestamps.ts';
import { canonicalUnit, type UnitId } from '../units.ts';
import { finishDecode, type Measurement } from './measurement.ts';
import { metricForAlias } from './metric-aliases.ts';
import { parseJsonPayload } from './native-payload.ts';
import { expectNumber, formatPath, schemaProblems, show } from './payload-problems.ts';

/**
 * The Things Stack (TTN v3) MQTT uplink JSON (The Things Stack documentation, "Data Formats",
 * uplink messages). Readings come from
 * `uplink_message.decoded_payload`, the output of the application's payload formatter; the raw
 * `frm_payload` bytes are not decoded here.
 *
 * - Device: the topic names it. `end_device_ids.device_id` must be that same id, or the message is
 *   refused (INGEST_DEVICE_MISMATCH): a bridge that publishes device A's uplink on device B's topic
 *   would otherwise file A's air under B's location.
 * - Time: LoRaWAN devices have no clock, so the network's reception time stands for the measurement:
 *   top-level `received_at` (Application Server), else `uplink_message.received_at` (Network Server),
 *   else the first gateway `rx_metadata[].time`. With none, the receive time and the flag.
 * - Keys of decoded_payload (application-defined, so a documented naming convention):
 *   1. a metric name from metric-aliases.ts (`pm25`, `pm2_5`, `no2`, `temperature`, `humidity`…), in
 *      the metric's canonical unit;
 *   2. a metric name with a unit suffix, as in the table below (`no2_ppb`, `pressure_pa`, `temperature_f`);
 *   3. a Cayenne LPP key with its channel (`temperature_1` °C, `relative_humidity_2` %,
 *      `barometric_pressure_3` hPa), as produced by The Things Stack's built-in CayenneLPP formatter.
 *   Other keys (battery, luminosity…) are ignored. Values must be JSON numbers: the formatter is
 *   code the device owner controls, so "12.3" is refused rather than guessed at. Two keys for one
 *   metric (e.g. `temperature_1` and `temperature_2`) are refused as ambiguous.
 *
 * | suffix             | unit  |   | suffix        | unit |
 * |--------------------|-------|---|---------------|------|
 * | _ugm3, _ug_m3      | µg/m³ |   | _c, _degc     | °C   |
 * | _mgm3, _mg_m3      | mg/m³ |   | _f, _degf     | °F   |
 * | _ppb               | ppb   |   | _k            | K    |
 * | _ppm               | ppm   |   | _pct, _percent| %    |
 * | _pa / _hpa / _kpa  | Pa / hPa / kPa |   |       |      |
 */
const UNIT_SUFFIXES: ReadonlyMap<string, UnitId> = new Map([
  ['ugm3', 'µg/m³'],
  ['ug_m3', 'µg/m³'],
  ['mgm3', 'mg/m³'],
  ['mg_m3', 'mg/m³'],
  ['ppb', 'ppb'],
  ['ppm', 'ppm'],
  ['pa', 'Pa'],
  ['hpa', 'hPa'],
  ['kpa', 'kPa'],
  ['c', '°C'],
  ['degc', '°C'],
  ['f', '°F'],
  ['degf', '°F'],
  ['k', 'K'],
  ['pct', '%'],
  ['percent', '%'],
]);

const UNIT_SUFFIX = /^(.+?)_(ug_m3|mg_m3|[a-z]+)$/;
// No metric name is this long; longer keys are skipped before any pattern runs on them.
const MAX_KEY_CHARS = 64;
const LPP_CHANNEL = /^(temperature|relative_humidity|barometric_pressure)_\d+$/;

const stampSchema = z.string().optional();

export const ttnUplinkSchema = z.object({
  end_device_ids: z.object({
    device_id: z.string(),
    dev_eui: z.string().optional(),
    application_ids: z.object({ application_id: z.string() }).optional(),
  }),
  received_at: stampSchema,
  simulated: z.boolean().optional(),
  uplink_message: z.object(
    {
      decoded_payload: z.record(z.string(), z.unknown()).optional(),
      received_at: stampSchema,
      rx_metadata: z.array(z.object({ time: stampSchema })).optional(),
    },
    {
      error:
        'not an uplink: uplink_message is missing or not an object (join, downlink and service messages carry no readings)',
    },
  ),
});

type TtnUplink = z.infer<typeof ttnUplinkSchema>;

export function decodeTtnPayload(raw: Uint8Array, ctx: DecodeContext): DecodeResult {
  const json = parseJsonPayload(raw);
  if (!json.ok) return { ok: false, problems: [json.problem] };
  const parsed = ttnUplinkSchema.safeParse(json.value);
  if (!parsed.success) return { ok: false, problems: schemaProblems(parsed.error) };
  const uplink = parsed.data;
  const problems: Problem[] = [];
  const deviceId = uplink.end_device_ids.device_id;
  if (deviceId !== ctx.deviceId) {
    problems.push({
      code: 'INGEST_DEVICE_MISMATCH',
      path: 'end_device_ids.device_id',
      message: `uplink of TTN device ${show(deviceId)} was published on the topic of device "${ctx.deviceId}"; publish each device's uplinks on its own topic`,
    });
  }
  const time = uplinkTime(uplink, ctx.receivedAt);
  if ('code' in time) problems.push(time);
  const measurements = 'code' in time ? [] : payloadMeasurements(uplink, time, problems);
  const keys = Object.keys(uplink.uplink_message.decoded_payload ?? {}).slice(0, 12);
  return finishDecode(measurements, problems, ctx, {
    duplicates: 'reject',
    nothingFound: `no decoded_payload key maps to a catalog metric (keys seen: ${keys.map((k) => show(k)).join(', ')}); name them e.g. pm25, no2_ppb, temperature`,
    meta: {
      dev_eui: uplink.end_device_ids.dev_eui,
      application_id: uplink.end_device_ids.application_ids?.application_id,
      simulated: uplink.simulated === true ? 'true' : undefined,
    },
  });
}

function payloadMeasurements(
  uplink: TtnUplink,
  time: { ts: number; timeSource: TimeSource },
  problems: Problem[],
): Measurement[] {
  const payload = uplink.uplink_message.decoded_payload;
  if (payload === undefined) {
    problems.push({
      code: 'INGEST_INVALID_PAYLOAD',
      path: 'uplink_message.decoded_payload',
      message: 'decoded_payload is missing: configure a payload formatter for the device in The Things Stack',
    });
    return [];
  }
  const measurements: Measurement[] = [];
  for (const [key, raw] of Object.entries(payload)) {
    const target = metricForKey(key);
    if (target === undefined) continue;
    const path = formatPath(['uplink_message', 'decoded_payload', key]);
    const value = expectNumber(raw, path);
    if (typeof value !== 'number') problems.push(value);
    else measurements.push({ ...target, value, ...time, path });
  }
  return measurements;
}

/** The metric and unit a decoded_payload key stands for, per the naming convention above. */
export function metricForKey(key: string): { metric: MetricId; unit: UnitId } | undefined {
  if (key.length > MAX_KEY_CHARS) return undefined;
  const lower = key.toLowerCase();
  const direct = metricForAlias(lower);
  if (direct !== undefined) return { metric: direct, unit: canonicalUnit(direct) };
  const lpp = LPP_CHANNEL.exec(lower)?.[1];
  if (lpp !== undefined) {
    const metric = metricForAlias(lpp);
    return metric === undefined ? undefined : { metric, unit: canonicalUnit(metric) };
  }
  const [, name = '', suffix = ''] = UNIT_SUFFIX.exec(lower) ?? [];
  const metric = metricForAlias(name);
  const unit = UNIT_SUFFIXES.get(suffix);
  return metric === undefined || unit === undefined ? undefined : { metric, unit };
}

function uplinkTime(uplink: TtnUplink, receivedAt: number): { ts: number; timeSource: TimeSource } | Problem {
  const candidates: Array<[string, string | undefined]> = [
    ['received_at', uplink.received_at],
    ['uplink_message.received_at', uplink.uplink_message.received_at],
    ...(uplink.uplink_message.rx_metadata ?? []).map((rx, i): [string, string | undefined] => [
      `uplink_message.rx_metadata[${i}].time`,
      rx.time,
    ]),
  ];
  const first = candidates.find(([, stamp]) => stamp !== undefined);
  if (first === undefined) return { ts: receivedAt, timeSource: 'receive' };
  const [path, stamp = ''] = first;
  const ts = parseTimestamp(stamp, path);
  return typeof ts === 'number' ? { ts, timeSource: 'device' } : ts;
}

export const ttnDecoder: PayloadDecoder = { format: 'ttn', decode: decodeTtnPayload };
