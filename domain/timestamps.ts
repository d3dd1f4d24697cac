import type { Problem } from './reading.ts';

/** How far from the receive time a reading's timestamp may lie. */
export interface TimePolicy {
  /** Clock skew tolerated for timestamps ahead of the receive time, in ms. */
  readonly maxFutureMs: number;
  /** Oldest accepted reading, as an age relative to the receive time, in ms. */
  readonly maxAgeMs: number;
}

export const DEFAULT_TIME_POLICY: TimePolicy = Object.freeze({
  maxFutureMs: 5 * 60_000,
  maxAgeMs: 30 * 24 * 3_600_000,
});

// RFC 3339 date-time: a full date, a time and a mandatory offset (Z or ±hh:mm).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** Parses an RFC 3339 string with offset to epoch ms; undefined if it is not one (or not a real date). */
export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map((x) => (x === undefined ? Number.NaN : Number(x)));
  if (
    mo === undefined ||
    d === undefined ||
    h === undefined ||
    mi === undefined ||
    s === undefined ||
    y === undefined
  )
    return undefined;
  // Date.UTC would silently roll 2026-02-30 over to March: check each field round-trips.
  const probe = new Date(Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59)));
  if (probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d || h > 23 || mi > 59 || s > 60)
    return undefined;
  const ms = Date.parse(text.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Checks a reading's time against the receive time. Returns the problem, or undefined when the
 * time is acceptable.
 */
export function checkTimeWindow(
  ts: number,
  receivedAt: number,
  policy: TimePolicy,
  path = 'ts',
): Problem | undefined {
  if (ts > receivedAt + policy.maxFutureMs) {
    return {
      code: 'INGEST_FUTURE_TIMESTAMP',
      path,
      message: `${describeInstant(ts)} is ${formatDuration(ts - receivedAt)} ahead of the server clock (at most ${formatDuration(policy.maxFutureMs)} allowed); check the device clock (NTP)`,
    };
  }
  if (ts < receivedAt - policy.maxAgeMs) {
    return {
      code: 'INGEST_STALE_TIMESTAMP',
      path,
      message: `${describeInstant(ts)} is older than the accepted ${formatDuration(policy.maxAgeMs)}; check the device clock or backfill through an import`,
    };
  }
  return undefined;
}

// Date#toISOString throws beyond ±8.64e15 ms (year ±275760); a payload can name such a time.
function describeInstant(ts: number): string {
  return Math.abs(ts) <= 8.64e15 ? new Date(ts).toISOString() : `epoch ${ts} ms`;
}

export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs >= 86_400_000) return `${round1(ms / 86_400_000)} d`;
  if (abs >= 3_600_000) return `${round1(ms / 3_600_000)} h`;
  if (abs >= 60_000) return `${round1(ms / 60_000)} min`;
  return `${round1(ms / 1000)} s`;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

export const EPOCH_UNITS = ['s', 'ms', 'us', 'ns'] as const;
export type EpochUnit = (typeof EPOCH_UNITS)[number];

const MS_PER_EPOCH_UNIT: Readonly<Record<EpochUnit, number>> = { s: 1000, ms: 1, us: 1e-3, ns: 1e-6 };

/**
 * Magnitude rules for an epoch number whose unit is not stated. Each band holds exactly the
 * instants 2001-09-09T01:46:40Z .. 2286-11-20T17:46:40Z in one unit (10^9..10^10 s, 10^12..10^13 ms,
 * 10^15..10^16 µs, 10^18..10^19 ns), so the bands never overlap and a number is read one way only.
 * A number between bands would be a date outside 2001-2286 in every unit: it is refused rather than
 * guessed.
 */
const EPOCH_BANDS: ReadonlyArray<readonly [EpochUnit, number, number]> = [
  ['s', 1e9, 1e10],
  ['ms', 1e12, 1e13],
  ['us', 1e15, 1e16],
  ['ns', 1e18, 1e19],
];

/** The unit an epoch number must be in by the magnitude rules, or undefined when it fits none. */
export function inferEpochUnit(value: number): EpochUnit | undefined {
  return EPOCH_BANDS.find(([, low, high]) => value >= low && value < high)?.[0];
}

/** Epoch value in a stated unit to epoch ms (rounded to the millisecond); undefined if not finite. */
export function epochToMs(value: number, unit: EpochUnit): number | undefined {
  const ms = Math.round(value * MS_PER_EPOCH_UNIT[unit]);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

// A date-time with no offset: a wall-clock time that names no zone.
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/;

/**
 * Parses a payload timestamp: an RFC 3339 string with offset, or an epoch number in `unit` (or, when
 * no unit is given, in the unit the magnitude rules above imply). Returns epoch ms or the problem.
 */
export function parseTimestamp(value: string | number, path: string, unit?: EpochUnit): number | Problem {
  if (typeof value === 'number') return parseEpoch(value, path, unit);
  const ms = parseRfc3339(value);
  if (ms !== undefined) return ms;
  const shown = JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  const message = LOCAL_DATE_TIME.test(value)
    ? `${shown} has no UTC offset: a local time is ambiguous (which zone? which side of a DST change?); add "Z" or "±hh:mm"`
    : `${shown} is not an RFC 3339 date-time with offset (e.g. "2026-11-29T08:00:00Z")`;
  return { code: 'INGEST_BAD_TIMESTAMP', path, message };
}

function parseEpoch(value: number, path: string, unit: EpochUnit | undefined): number | Problem {
  const effective = unit ?? inferEpochUnit(value);
  const ms = effective === undefined ? undefined : epochToMs(value, effective);
  if (ms !== undefined) return ms;
  return {
    code: 'INGEST_BAD_TIMESTAMP',
    path,
    message:
      unit === undefined
        ? `${value} is not a plausible epoch time: epoch s, ms, µs and ns are told apart by magnitude (10^9-10^10 s, 10^12-10^13 ms, 10^15-10^16 µs, 10^18-10^19 ns)`
        : `${value} is not a finite epoch time in ${unit}`,
  };
}

/**
 * Parses an ISO 8601 instant or `start/end` interval (both RFC 3339 with offset) to epoch ms. An
 * interval stands for its end: an average over 11:00-12:00 is reported at 12:00, the convention of
 * hourly air-quality data (the value is known only once the hour is over).
 */
export function parseInstantOrIntervalEnd(text: string, path: string): number | Problem {
  const parts = text.split('/');
  if (parts.length === 1) return parseTimestamp(text, path);
  const [start = '', end = ''] = parts;
  if (parts.length !== 2 || start.startsWith('P') || end.startsWith('P')) {
    return {
      code: 'INGEST_BAD_TIMESTAMP',
      path,
      message: `"${text.slice(0, 100)}" is not a "start/end" interval of two RFC 3339 date-times (durations are not accepted)`,
    };
  }
  const from = parseTimestamp(start, path);
  const to = parseTimestamp(end, path);
  if (typeof from !== 'number') return from;
  if (typeof to !== 'number') return to;
  if (from > to) {
    return {
      code: 'INGEST_BAD_TIMESTAMP',
      path,
      message: `interval "${text.slice(0, 100)}" ends before it starts`,
    };
  }
  return to;
}
