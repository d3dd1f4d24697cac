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

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function localClock(ts: number, timeZone: string): LocalClock {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(ts)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const year = fields.year ?? 1970;
  const month = fields.month ?? 1;
  const day = fields.day ?? 1;
  const hour = (fields.hour ?? 0) + (fields.minute ?? 0) / 60 + (fields.second ?? 0) / 3600;
  const dayOfYear = Math.round((Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
  return { hour, dayOfYear };
}
