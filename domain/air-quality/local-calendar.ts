import { UcapError } from '../errors.ts';
import { wallClock, zoneOffsetMs as wallClockOffsetMs } from '../local-time.ts';

/**
 * Local calendar arithmetic on epoch milliseconds, for an IANA zone, with the built-in Intl data:
 * which local day an instant falls on, and when a local day starts (days are 23 or 25 hours long
 * on DST change days).
 */
export const HOUR_MS = 3_600_000;

export interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
}

export function localDateTime(ts: number, timeZone: string): LocalDateTime {
  try {
    const { year, month, day, hour, minute } = wallClock(ts, timeZone);
    return { year, month, day, hour, minute };
  } catch (cause) {
    throw new UcapError('AQ_INVALID_INPUT', `unknown time zone "${timeZone}"`, { cause });
  }
}

/** Offset of local wall-clock time from UTC at an instant, in ms (Paris summer: +7 200 000). */
export function zoneOffsetMs(ts: number, timeZone: string): number {
  try {
    return wallClockOffsetMs(ts, timeZone);
  } catch (cause) {
    throw new UcapError('AQ_INVALID_INPUT', `unknown time zone "${timeZone}"`, { cause });
  }
}

/** 'YYYY-MM-DD' of the local day an instant falls on. */
export function localDateKey(ts: number, timeZone: string): string {
  const t = localDateTime(ts, timeZone);
  return formatDateKey(t.year, t.month, t.day);
}

export function formatDateKey(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function parseDateKey(key: string): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  const probe = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (
    !m ||
    !probe ||
    formatDateKey(probe.getUTCFullYear(), probe.getUTCMonth() + 1, probe.getUTCDate()) !== key
  ) {
    throw new UcapError('AQ_INVALID_INPUT', `"${key}" is not a calendar date YYYY-MM-DD`);
  }
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/** The date key `days` after `key` (negative goes back). */
export function addDays(key: string, days: number): string {
  const { year, month, day } = parseDateKey(key);
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return formatDateKey(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/**
 * First instant of a local day. Where midnight does not exist (a DST gap at 00:00) the day starts
 * at the first instant after the gap.
 */
export function startOfLocalDay(key: string, timeZone: string): number {
  const { year, month, day } = parseDateKey(key);
  const wall = Date.UTC(year, month - 1, day);
  let ts = wall - zoneOffsetMs(wall, timeZone);
  ts = wall - zoneOffsetMs(ts, timeZone);
  if (localDateKey(ts, timeZone) !== key) ts += HOUR_MS;
  // The instant one hour earlier may also be on this day (the offset probe landed after a fall-back).
  while (localDateKey(ts - HOUR_MS, timeZone) === key) ts -= HOUR_MS;
  return ts;
}

/** Local days from `fromKey` up to but excluding `toKey`. */
export function dateKeysBetween(fromKey: string, toKey: string): string[] {
  const keys: string[] = [];
  for (let k = fromKey; k < toKey; k = addDays(k, 1)) keys.push(k);
  return keys;
}

/** Hour starts of a local day (23, 24 or 25 of them). */
export function hoursOfLocalDay(key: string, timeZone: string): number[] {
  const start = startOfLocalDay(key, timeZone);
  const end = startOfLocalDay(addDays(key, 1), timeZone);
  const hours: number[] = [];
  for (let ts = start; ts < end; ts += HOUR_MS) hours.push(ts);
  return hours;
}

/** Start of the hour (on the zone's hour grid, counted from local midnight) that holds `ts`. */
export function startOfLocalHour(ts: number, timeZone: string): number {
  const midnight = startOfLocalDay(localDateKey(ts, timeZone), timeZone);
  return midnight + Math.floor((ts - midnight) / HOUR_MS) * HOUR_MS;
}

/** [start of the local day holding `from`, start of the local day after the one holding `to - 1`). */
export function wholeLocalDays(from: number, to: number, timeZone: string): { from: number; to: number } {
  const first = localDateKey(from, timeZone);
  const last = localDateKey(to - 1, timeZone);
  return { from: startOfLocalDay(first, timeZone), to: startOfLocalDay(addDays(last, 1), timeZone) };
}

/** The local calendar year [1 Jan, next 1 Jan) of a zone, in epoch ms. */
export function localYear(year: number, timeZone: string): { from: number; to: number } {
  const key = (y: number) => formatDateKey(y, 1, 1);
  return { from: startOfLocalDay(key(year), timeZone), to: startOfLocalDay(key(year + 1), timeZone) };
}
