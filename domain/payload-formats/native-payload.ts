import { z } from 'zod';
import { isMetricId, isPhysicallyPossible, METRICS, type MetricId } from '../metrics.ts';
import type { DecodeContext, PayloadDecoder } from '../payload-format.ts';
import type { DecodeResult, Problem, Reading } from '../reading.ts';
import { checkTimeWindow, parseRfc3339 } from '../timestamps.ts';

/**
 * The native device payload (README, "Device contract"):
 * `{"ts": "<RFC 3339>" | <epoch ms>, "values": {"pm25": 12.3, ...}, "seq"?: int, "meta"?: {...}}`
 */
export const nativePayloadSchema = z.object({
  ts: z.union([z.string(), z.number()]),
  values: z.record(z.string(), z.unknown()),
  seq: z.number().int().nonnegative().optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
});

export type NativePayload = z.infer<typeof nativePayloadSchema>;

/** Epoch ms below this are almost certainly seconds (before 2001-09-09 as ms; 1973 as s). */
const MIN_PLAUSIBLE_EPOCH_MS = 1_000_000_000_000;

/** Reused: without `stream` a decoder keeps no state between calls, and making one per message showed in profiles. */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

export function parseJsonPayload(
  raw: Uint8Array,
): { ok: true; value: unknown } | { ok: false; problem: Problem } {
  let text: string;
  try {
    text = STRICT_UTF8.decode(raw);
  } catch {
    return { ok: false, problem: { code: 'INGEST_INVALID_JSON', message: 'payload is not valid UTF-8' } };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      problem: { code: 'INGEST_INVALID_JSON', message: `payload is not JSON (${detail})` },
    };
  }
}

export function parseNativeTimestamp(ts: string | number): number | Problem {
  if (typeof ts === 'number') {
    if (!Number.isInteger(ts) || ts < MIN_PLAUSIBLE_EPOCH_MS) {
      return {
        code: 'INGEST_BAD_TIMESTAMP',
        path: 'ts',
        message: `${ts} is not epoch milliseconds (an integer such as ${Date.UTC(2026, 0, 1)}); seconds are not accepted`,
      };
    }
    return ts;
  }
  const ms = parseRfc3339(ts);
  if (ms === undefined) {
    return {
      code: 'INGEST_BAD_TIMESTAMP',
      path: 'ts',
      message: `"${truncate(ts, 64)}" is not an RFC 3339 date-time with offset (e.g. "2026-11-29T08:00:00Z") nor epoch milliseconds`,
    };
  }
  return ms;
}

/** Validates a native payload; the message is accepted whole or refused whole, with every problem listed. */
export function decodeNativePayload(raw: Uint8Array, ctx: DecodeContext): DecodeResult {
  const json = parseJsonPayload(raw);
  if (!json.ok) return { ok: false, problems: [json.problem] };
  const parsed = nativePayloadSchema.safeParse(json.value);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        code: 'INGEST_INVALID_PAYLOAD' as const,
        path: issue.path.join('.') || '(root)',
        message: issue.message,
      })),
    };
  }
  const problems: Problem[] = [];
  const ts = parseNativeTimestamp(parsed.data.ts);
  if (typeof ts !== 'number') problems.push(ts);
  else {
    const windowProblem = checkTimeWindow(ts, ctx.receivedAt, ctx.timePolicy);
    if (windowProblem) problems.push(windowProblem);
  }
  const entries = Object.entries(parsed.data.values);
  if (entries.length === 0) {
    problems.push({
      code: 'INGEST_INVALID_PAYLOAD',
      path: 'values',
      message: 'values is empty: send at least one metric',
    });
  }
  const values: Array<[MetricId, number]> = [];
  for (const [name, value] of entries) {
    const problem = checkValue(name, value);
    if (problem) problems.push(problem);
    else values.push([name as MetricId, value as number]);
  }
  if (problems.length > 0 || typeof ts !== 'number') return { ok: false, problems };
  const readings: Reading[] = values.map(([metric, value]) => ({
    ts,
    city: ctx.city,
    deviceId: ctx.deviceId,
    metric,
    value,
  }));
  return { ok: true, readings };
}

/** Checks one metric/value pair against the catalog; undefined when it is fine. */
export function checkValue(name: string, value: unknown, path = `values.${name}`): Problem | undefined {
  if (!isMetricId(name)) {
    return {
      code: 'INGEST_UNKNOWN_METRIC',
      path,
      message: `"${truncate(name, 40)}" is not a known metric (known: ${Object.keys(METRICS).join(', ')})`,
    };
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return {
      code: 'INGEST_INVALID_PAYLOAD',
      path,
      message: `expected a number, got ${JSON.stringify(value) ?? typeof value}`,
    };
  }
  if (!isPhysicallyPossible(name, value)) {
    const def = METRICS[name];
    return {
      code: 'INGEST_OUT_OF_RANGE',
      path,
      message: `${value} ${def.unit} is outside the physically possible range ${def.min}..${def.max} ${def.unit} of ${def.displayName}`,
    };
  }
  return undefined;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export const nativeDecoder: PayloadDecoder = { format: 'native', decode: decodeNativePayload };
