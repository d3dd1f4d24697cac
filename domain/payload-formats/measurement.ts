import { isPhysicallyPossible, METRICS, type MetricId } from '../metrics.ts';
import type { DecodeContext } from '../payload-format.ts';
import type { DecodeResult, Problem, Reading, TimeSource } from '../reading.ts';
import { checkTimeWindow } from '../timestamps.ts';
import { toCanonical, type UnitId } from '../units.ts';

/**
 * What every adapter produces from its own payload shape: one value of one catalog metric, in the
 * unit the payload stated or implied, at a resolved time. `finishDecode` turns these into readings.
 */
export interface Measurement {
  readonly metric: MetricId;
  readonly value: number;
  readonly unit: UnitId;
  /** Epoch ms, UTC. */
  readonly ts: number;
  readonly timeSource: TimeSource;
  /** Where in the payload the value came from, for problem messages. */
  readonly path: string;
}

export interface FinishOptions {
  /**
   * Two values for one metric at one time: 'first-wins' keeps the first (formats whose mapping table
   * lists preferred sources first, e.g. airrohr with two temperature sensors); 'reject' refuses the
   * message, since a stored series cannot hold both.
   */
  readonly duplicates: 'first-wins' | 'reject';
  /** Message of the problem raised when the payload held no value of any catalog metric. */
  readonly nothingFound: string;
  readonly meta?: Readonly<Record<string, string | undefined>>;
}

/** Most measurements one message may carry; bounds the work a single payload can cause. */
export const MAX_MEASUREMENTS = 1000;
/** Problems listed per rejection; the rest are counted, so a reason stays readable. */
export const MAX_PROBLEMS = 20;
const MAX_META_VALUE_CHARS = 64;

/**
 * Converts units, checks ranges, times and duplicates, and builds the result. The message is
 * accepted whole or refused whole, with every problem (the adapter's and these) listed.
 */
export function finishDecode(
  measurements: readonly Measurement[],
  adapterProblems: readonly Problem[],
  ctx: DecodeContext,
  options: FinishOptions,
): DecodeResult {
  const problems = [...adapterProblems];
  if (measurements.length > MAX_MEASUREMENTS) {
    problems.push({
      code: 'INGEST_INVALID_PAYLOAD',
      message: `${measurements.length} values in one message; at most ${MAX_MEASUREMENTS} are accepted`,
    });
    return { ok: false, problems: capProblems(problems) };
  }
  const readings: Reading[] = [];
  // A single value cannot repeat itself: no map for it (an import checks millions of those).
  const seen = measurements.length > 1 ? new Map<string, string>() : undefined;
  for (const m of measurements) {
    const value = canonicalValue(m, problems);
    const windowProblem = timeProblem(m, ctx);
    if (windowProblem) problems.push(windowProblem);
    if (value === undefined || windowProblem) continue;
    if (seen !== undefined) {
      const key = `${m.metric}@${m.ts}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        if (options.duplicates === 'reject') problems.push(duplicateProblem(m, earlier));
        continue;
      }
      seen.set(key, m.path);
    }
    readings.push(toReading(m, value, ctx));
  }
  if (problems.length === 0 && readings.length === 0) {
    problems.push({ code: 'INGEST_UNKNOWN_METRIC', message: options.nothingFound });
  }
  if (problems.length > 0) return { ok: false, problems: capProblems(problems) };
  const meta = cleanMeta(options.meta);
  return meta === undefined ? { ok: true, readings } : { ok: true, readings, meta };
}

function canonicalValue(m: Measurement, problems: Problem[]): number | undefined {
  const converted = toCanonical(m.metric, m.value, m.unit);
  if (!converted.ok) {
    problems.push({ code: 'INGEST_UNKNOWN_UNIT', path: m.path, message: converted.message });
    return undefined;
  }
  if (isPhysicallyPossible(m.metric, converted.value)) return converted.value;
  const def = METRICS[m.metric];
  const original = m.unit === def.unit ? '' : `${m.value} ${m.unit} = `;
  problems.push({
    code: 'INGEST_OUT_OF_RANGE',
    path: m.path,
    message: `${original}${converted.value} ${def.unit} is outside the physically possible range ${def.min}..${def.max} ${def.unit} of ${def.displayName}`,
  });
  return undefined;
}

// ECMAScript dates span ±8.64e15 ms; checkTimeWindow formats the time, so anything beyond is refused first.
const MAX_DATE_MS = 8.64e15;

function timeProblem(m: Measurement, ctx: DecodeContext): Problem | undefined {
  if (!Number.isFinite(m.ts) || Math.abs(m.ts) > MAX_DATE_MS) {
    return {
      code: 'INGEST_BAD_TIMESTAMP',
      path: m.path,
      message: `time ${m.ts} ms lies outside any calendar date`,
    };
  }
  return checkTimeWindow(m.ts, ctx.receivedAt, ctx.timePolicy, m.path);
}

function toReading(m: Measurement, value: number, ctx: DecodeContext): Reading {
  const reading = { ts: m.ts, city: ctx.city, deviceId: ctx.deviceId, metric: m.metric, value };
  return m.timeSource === 'receive' ? { ...reading, timeSource: 'receive' } : reading;
}

function duplicateProblem(m: Measurement, earlierPath: string): Problem {
  return {
    code: 'INGEST_INVALID_PAYLOAD',
    path: m.path,
    message: `a second ${METRICS[m.metric].displayName} value for ${new Date(m.ts).toISOString()} (the first is at ${earlierPath}); one message describes one device, one value per metric and time`,
  };
}

export function capProblems(problems: readonly Problem[]): Problem[] {
  if (problems.length <= MAX_PROBLEMS) return [...problems];
  const shown = problems.slice(0, MAX_PROBLEMS - 1);
  return [
    ...shown,
    { code: 'INGEST_INVALID_PAYLOAD', message: `… and ${problems.length - shown.length} more problems` },
  ];
}

function cleanMeta(meta: FinishOptions['meta']): Record<string, string> | undefined {
  if (meta === undefined) return undefined;
  const entries = Object.entries(meta).flatMap(([key, value]) =>
    value === undefined || value === '' ? [] : [[key, value.slice(0, MAX_META_VALUE_CHARS)] as const],
  );
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}
