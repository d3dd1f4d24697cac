import type { HourlyValue } from '../../../domain/air-quality/averaging.ts';
import {
  dateKeysBetween,
  hoursOfLocalDay,
  localDateTime,
} from '../../../domain/air-quality/local-calendar.ts';

/**
 * Hourly values for the local days [from, to) of a zone; `value` sees the local date and hour and
 * returns undefined for a missing hour.
 */
export function localSeries(
  from: string,
  to: string,
  timeZone: string,
  value: (date: string, hour: number, ts: number) => number | undefined,
): HourlyValue[] {
  const out: HourlyValue[] = [];
  for (const date of dateKeysBetween(from, to)) {
    for (const ts of hoursOfLocalDay(date, timeZone)) {
      const v = value(date, localDateTime(ts, timeZone).hour, ts);
      if (v !== undefined) out.push({ ts, value: v });
    }
  }
  return out;
}
