import { wallClock as wallClockIn } from '../domain/local-time.ts';

/**
 * Response timestamps: every time the API returns is given twice, as UTC (`ts`) and as wall-clock
 * time in the city's zone with its offset (`localTime`), so researchers in either city read the
 * hour they expect without converting. Both are RFC 3339; milliseconds appear only when non-zero.
 */
export function toUtcRfc3339(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** e.g. 2026-11-29T09:00:00+01:00 for 08:00 UTC in Europe/Paris. */
export function toLocalRfc3339(ms: number, timeZone: string): string {
  const offsetMinutes = cachedOffsetMinutes(ms, timeZone);
  if (offsetMinutes === undefined) return formatWithIntl(ms, timeZone);
  const local = new Date(ms + offsetMinutes * 60_000);
  const millis = local.getUTCMilliseconds();
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}`;
  const time = `${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}${millis === 0 ? '' : `.${pad(millis, 3)}`}`;
  return `${date}T${time}${formatOffset(offsetMinutes)}`;
}

/**
 * Asking Intl costs ~9 µs; a list of 400 latest values would spend most of its time there. Since
 * 1970 every zone's offsets and changes fall on whole quarter hours, so one offset holds for a
 * whole 15-minute UTC slice: it is asked once per (zone, slice). Earlier times (local mean time,
 * offsets in seconds) always ask Intl.
 */
const SLICE_MS = 900_000;
const MAX_CACHED_OFFSETS = 50_000;
const offsets = new Map<string, number>();

function cachedOffsetMinutes(ms: number, timeZone: string): number | undefined {
  if (!(ms >= 0) || !Number.isFinite(ms)) return undefined;
  const key = `${timeZone}|${Math.floor(ms / SLICE_MS)}`;
  let minutes = offsets.get(key);
  if (minutes === undefined) {
    const { year, month, day, hour, minute, second } = wallClockIn(ms, timeZone);
    const offsetMs =
      Date.UTC(year, month - 1, day, hour, minute, second) + (((ms % 1000) + 1000) % 1000) - ms;
    if (offsetMs % 60_000 !== 0) return undefined;
    minutes = offsetMs / 60_000;
    if (offsets.size >= MAX_CACHED_OFFSETS) offsets.clear();
    offsets.set(key, minutes);
  }
  return minutes;
}

function formatWithIntl(ms: number, timeZone: string): string {
  const { year, month, day, hour, minute, second } = wallClockIn(ms, timeZone);
  const millis = ((ms % 1000) + 1000) % 1000;
  const wallClock = Date.UTC(year, month - 1, day, hour, minute, second) + millis;
  const offsetMinutes = Math.round((wallClock - ms) / 60_000);
  const date = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
  const time = `${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${millis === 0 ? '' : `.${pad(millis, 3)}`}`;
  return `${date}T${time}${formatOffset(offsetMinutes)}`;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
