import { z } from 'zod';
import type { Problem, TimeSource } from '../reading.ts';
import { formatPath, schemaProblems } from './payload-problems.ts';

/**
 * SenML (RFC 8428) record resolution, §4.5-4.6: base fields apply to their own record and every
 * later one until replaced; the resolved name is bn + n, time bt + t, value bv + v, unit u or else bu.
 */
export const senmlRecordSchema = z.object({
  bn: z.string().optional(),
  bt: z.number().optional(),
  bu: z.string().optional(),
  bv: z.number().optional(),
  bs: z.number().optional(),
  bver: z.number().int().positive().optional(),
  n: z.string().optional(),
  u: z.string().optional(),
  v: z.number().optional(),
  vs: z.string().optional(),
  vb: z.boolean().optional(),
  vd: z.string().optional(),
  s: z.number().optional(),
  t: z.number().optional(),
  ut: z.number().optional(),
});
export type SenmlRecord = z.infer<typeof senmlRecordSchema>;

export interface ResolvedRecord {
  /** Position in the pack. */
  readonly index: number;
  readonly name: string;
  readonly unit: string | undefined;
  /** bv + v; undefined when the record has no numeric value (a string, boolean, data or sum record). */
  readonly value: number | undefined;
  /** bt + t in SenML seconds: absolute epoch seconds when ≥ 2^28, otherwise relative to "now". */
  readonly time: number;
}

/** RFC 8428 §4.5.3: resolved times below 2^28 s are relative to the current time. */
export const SENML_RELATIVE_TIME_LIMIT = 2 ** 28;
/** The SenML version RFC 8428 defines; packs declaring a later one may mean things we do not know. */
export const SENML_VERSION = 10;

// RFC 8428 §4.5.1: resolved names use A-Z a-z 0-9 - : . / _ and start with a letter or digit. One
// leading "/" is tolerated because OMA LwM2M's SenML names objects by path ("/3303/0/5700").
const RESOLVED_NAME = /^\/?[A-Za-z0-9][A-Za-z0-9\-:./_]*$/;

interface Bases {
  bn: string;
  bt: number;
  bu: string | undefined;
  bv: number;
}

/** Validates and resolves raw records; every record's problems are listed with its `[index]`. */
export function resolveSenmlPack(records: readonly unknown[]): {
  records: ResolvedRecord[];
  problems: Problem[];
} {
  const resolved: ResolvedRecord[] = [];
  const problems: Problem[] = [];
  const bases: Bases = { bn: '', bt: 0, bu: undefined, bv: 0 };
  for (const [index, raw] of records.entries()) {
    const mustUnderstand = mustUnderstandProblem(raw, index);
    const parsed = senmlRecordSchema.safeParse(raw);
    if (mustUnderstand) problems.push(mustUnderstand);
    else if (!parsed.success) problems.push(...schemaProblems(parsed.error, [index]));
    if (mustUnderstand || !parsed.success) continue;
    const record = parsed.data;
    applyBases(bases, record);
    const problem = recordProblem(record, bases, index);
    if (problem) {
      problems.push(problem);
      continue;
    }
    resolved.push({
      index,
      name: bases.bn + (record.n ?? ''),
      unit: record.u ?? bases.bu,
      value: record.v === undefined ? undefined : bases.bv + record.v,
      time: bases.bt + (record.t ?? 0),
    });
  }
  return { records: resolved, problems };
}

function applyBases(bases: Bases, record: SenmlRecord): void {
  if (record.bn !== undefined) bases.bn = record.bn;
  if (record.bt !== undefined) bases.bt = record.bt;
  if (record.bu !== undefined) bases.bu = record.bu;
  if (record.bv !== undefined) bases.bv = record.bv;
}

function recordProblem(record: SenmlRecord, bases: Bases, index: number): Problem | undefined {
  const at = (field: string) => formatPath([index, field]);
  if (record.bver !== undefined && record.bver > SENML_VERSION) {
    return {
      code: 'INGEST_INVALID_PAYLOAD',
      path: at('bver'),
      message: `SenML version ${record.bver} is newer than the supported version ${SENML_VERSION} (RFC 8428)`,
    };
  }
  const name = bases.bn + (record.n ?? '');
  if (!RESOLVED_NAME.test(name)) {
    return {
      code: 'INGEST_INVALID_PAYLOAD',
      path: at('n'),
      message: `resolved name ${JSON.stringify(name.slice(0, 80))} is not a SenML name (letters, digits, "-:./_", starting with a letter or digit; RFC 8428 §4.5.1)`,
    };
  }
  const valueFields = (['v', 'vs', 'vb', 'vd'] as const).filter((f) => record[f] !== undefined);
  if (valueFields.length > 1 || (valueFields.length === 0 && record.s === undefined)) {
    return {
      code: 'INGEST_INVALID_PAYLOAD',
      path: formatPath([index]),
      message: `a SenML record carries exactly one of v, vs, vb, vd (or only a sum s); this one has ${valueFields.length === 0 ? 'none' : valueFields.join(', ')}`,
    };
  }
  const time = bases.bt + (record.t ?? 0);
  if (!Number.isFinite(time)) {
    return { code: 'INGEST_BAD_TIMESTAMP', path: at('t'), message: 'bt + t is not a finite time' };
  }
  return undefined;
}

// RFC 8428 §4.4: a field whose label ends in "_" must be understood; a pack with one we do not know is refused.
function mustUnderstandProblem(raw: unknown, index: number): Problem | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const label = Object.keys(raw).find((key) => key.endsWith('_'));
  if (label === undefined) return undefined;
  return {
    code: 'INGEST_INVALID_PAYLOAD',
    path: formatPath([index, label]),
    message: `"${label.slice(0, 40)}" is a must-understand SenML field (ends in "_") that this decoder does not know (RFC 8428 §4.4)`,
  };
}

/** Epoch ms and its source for a resolved SenML time, against the receive time as "now". */
export function senmlTimeToMs(time: number, receivedAt: number): { ts: number; timeSource: TimeSource } {
  if (time >= SENML_RELATIVE_TIME_LIMIT) return { ts: Math.round(time * 1000), timeSource: 'device' };
  return { ts: receivedAt + Math.round(time * 1000), timeSource: 'receive' };
}
