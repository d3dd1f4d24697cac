import { wallClock } from '../domain/local-time.ts';

/**
 * Daily cycles follow the city's local clock (rush hours are local), so the value model reads the
 * local hour and day of year through Intl with the city's IANA zone, DST included.
 */
export interface LocalClock {
  /** Local hour of day, fractional, in [0, 24). */
  readonly hour: number;
  /** Local day of year, 1 = 1 January. */
  readonly dayOfYear: number;
}

export function localClock(ts: number, timeZone: string): LocalClock {
  const { year, month, day, hour: h, minute, second } = wallClock(ts, timeZone);
  const hour = h + minute / 60 + second / 3600;
  const dayOfYear = Math.round((Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
  return { hour, dayOfYear };
}
