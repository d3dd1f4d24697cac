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
