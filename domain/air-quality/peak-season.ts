import type { AssessmentContext, LimitAssessment } from './assessment-types.ts';
import type { HourlyValue } from './averaging.ts';
import { dayCoverage, daysInMonth } from './coverage.ts';
import { dailyMax8h } from './daily-max-8h.ts';
import type { LimitValue } from './limit-types.ts';

const SEASON_MONTHS = 6;

/**
 * WHO 2021 peak-season ozone (AQG 2021 Table 0.1, note on peak season): the mean of the daily maximum 8-hour
 * means over the six consecutive months with the highest six-month running mean. Only windows of
 * whole months inside the assessed period are considered.
 */
export function peakSeasonMean(
  limit: LimitValue,
  series: readonly HourlyValue[],
  ctx: AssessmentContext,
): LimitAssessment {
  const months = wholeMonths(ctx.days);
  if (months.length < SEASON_MONTHS) {
    return { limit, status: 'not-assessable', detail: 'needs six whole months in the period' };
  }
  const days = dailyMax8h(series, {
    timeZone: ctx.timeZone,
    rule: ctx.rules.dailyMax8h,
    from: ctx.from,
    to: ctx.to,
  });
  let best: { mean: number; window: string[]; validDates: string[] } | undefined;
  for (let i = 0; i + SEASON_MONTHS <= months.length; i++) {
    const window = months.slice(i, i + SEASON_MONTHS);
    const inWindow = new Set(window);
    const valid = days.filter((d) => d.valid && d.value !== undefined && inWindow.has(d.date.slice(0, 7)));
    if (valid.length === 0) continue;
    const mean = valid.reduce((sum, d) => sum + (d.value ?? 0), 0) / valid.length;
    if (!best || mean > best.mean) best = { mean, window, validDates: valid.map((d) => d.date) };
  }
  if (!best) return { limit, status: 'no-data' };
  const windowSet = new Set(best.window);
  const windowDays = ctx.days.filter((d) => windowSet.has(d.slice(0, 7)));
  return {
    limit,
    status: 'assessed',
    statistic: best.mean,
    compliant: best.mean <= limit.value,
    samples: best.validDates.length,
    coverage: dayCoverage(ctx.rules, best.validDates, windowDays),
    detail: `months ${best.window[0]} to ${best.window[SEASON_MONTHS - 1]}`,
  };
}

function wholeMonths(days: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const d of days) counts.set(d.slice(0, 7), (counts.get(d.slice(0, 7)) ?? 0) + 1);
  return [...counts]
    .filter(([ym, n]) => n === daysInMonth(Number(ym.slice(0, 4)), Number(ym.slice(5, 7))))
    .map(([ym]) => ym);
}
