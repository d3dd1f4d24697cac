import { type DayRange, type HourlyValue, indexHourly, meanAt, resolveDays } from './averaging.ts';
import { HOUR_MS, hoursOfLocalDay, localDateTime } from './local-calendar.ts';
import type { EightHourRule } from './validity-rules.ts';

/**
 * Daily maximum 8-hour running mean (MDA8) per local day. Which 8-hour windows belong to a day
 * differs by standard (validity-rules.ts): the EU assigns a window to the day its last hour is in
 * (all of them), China takes windows ending 08:00–24:00, the US EPA windows beginning 07:00–23:00.
 * Windows are 8 real hours, so across a DST change they still hold 8 hourly values.
 */
export interface DailyMax8h {
  readonly date: string;
  /** Max of the valid window means; undefined when no window is valid. */
  readonly value: number | undefined;
  /** Start of the first hour of the window that gave the maximum. */
  readonly windowStart: number | undefined;
  readonly windows: number;
  readonly validWindows: number;
  readonly valid: boolean;
}

const WINDOW_HOURS = 8;

/** First-hour starts of the day's windows under a rule. */
function windowStarts(date: string, timeZone: string, rule: EightHourRule): number[] {
  return hoursOfLocalDay(date, timeZone)
    .filter((ts) => {
      const hour = localDateTime(ts, timeZone).hour;
      return hour >= rule.fromLocalHour && hour <= rule.toLocalHour;
    })
    .map((anchor) => (rule.anchor === 'last-hour' ? anchor - (WINDOW_HOURS - 1) * HOUR_MS : anchor));
}

/** The daily maximum 8-hour mean of one local day under a rule. */
export function dailyMax8hOf(
  byTs: ReadonlyMap<number, number>,
  date: string,
  timeZone: string,
  rule: EightHourRule,
): DailyMax8h {
  const starts = windowStarts(date, timeZone, rule);
  let best: { value: number; start: number } | undefined;
  let validWindows = 0;
  for (const start of starts) {
    const hours = Array.from({ length: WINDOW_HOURS }, (_, k) => start + k * HOUR_MS);
    const { count, value } = meanAt(byTs, hours);
    if (count < rule.minHoursPerWindow || value === undefined) continue;
    validWindows++;
    if (!best || value > best.value) best = { value, start };
  }
  return {
    date,
    value: best?.value,
    windowStart: best?.start,
    windows: starts.length,
    validWindows,
    valid: validWindows >= rule.minValidWindows,
  };
}

export function dailyMax8h(
  series: readonly HourlyValue[],
  options: DayRange & { readonly timeZone: string; readonly rule: EightHourRule },
): DailyMax8h[] {
  const byTs = indexHourly(series);
  return resolveDays(byTs, options.timeZone, options).map((date) =>
    dailyMax8hOf(byTs, date, options.timeZone, options.rule),
  );
}
