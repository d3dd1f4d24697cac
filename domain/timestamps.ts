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
      message: `${new Date(ts).toISOString()} is ${formatDuration(ts - receivedAt)} ahead of the server clock (at most ${formatDuration(policy.maxFutureMs)} allowed); check the device clock (NTP)`,
    };
  }
  if (ts < receivedAt - policy.maxAgeMs) {
    return {
      code: 'INGEST_STALE_TIMESTAMP',
      path,
      message: `${new Date(ts).toISOString()} is older than the accepted ${formatDuration(policy.maxAgeMs)}; check the device clock or backfill through an import`,
    };
  }
  return undefined;
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
