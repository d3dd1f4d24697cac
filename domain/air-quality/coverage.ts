import { parseDateKey } from './local-calendar.ts';
import type { ValidityRules } from './validity-rules.ts';

/** Whether a statistic rests on enough data, with the numbers a person needs to see why. */
export interface Coverage {
  readonly valid: boolean;
  readonly have: number;
  readonly need: number;
  /** How many there could have been. */
  readonly of: number;
  readonly unit: 'hours' | 'days' | 'months';
  /** The rule applied, in words (and what failed, when it did). */
  readonly rule: string;
}

const DAYS_PER_YEAR = 365;

/** Coverage of hourly values over a period (EU/WHO: Annex I minimum data capture). */
export function hourCoverage(rules: ValidityRules, have: number, of: number): Coverage {
  const fraction =
    rules.yearCoverage.kind === 'fraction' ? rules.yearCoverage.minFraction : 324 / DAYS_PER_YEAR;
  const need = Math.ceil(fraction * of - 1e-9);
  return {
    valid: have >= need,
    have,
    need,
    of,
    unit: 'hours',
    rule: `${Math.round(fraction * 1000) / 10} % of hours`,
  };
}

/** Coverage of valid daily values over a list of local days, by the standard's year rule. */
export function dayCoverage(
  rules: ValidityRules,
  validDates: readonly string[],
  allDates: readonly string[],
): Coverage {
  const yr = rules.yearCoverage;
  const of = allDates.length;
  const have = validDates.length;
  if (yr.kind === 'fraction') {
    const need = Math.ceil(yr.minFraction * of - 1e-9);
    return { valid: have >= need, have, need, of, unit: 'days', rule: `${yr.minFraction * 100} % of days` };
  }
  // GB 3095 Table 4: 324 per year; a shorter period needs the same share.
  const need = of >= DAYS_PER_YEAR ? yr.minDaysPerYear : Math.ceil((yr.minDaysPerYear * of) / DAYS_PER_YEAR);
  const short = shortMonths(validDates, allDates, (month) =>
    month === 2 ? yr.minDaysFebruary : yr.minDaysPerMonth,
  );
  const rule = `${yr.minDaysPerYear} valid days a year, ${yr.minDaysPerMonth} a month (${yr.minDaysFebruary} in February)`;
  return {
    valid: have >= need && short.length === 0,
    have,
    need,
    of,
    unit: 'days',
    rule: short.length === 0 ? rule : `${rule}; too few in ${short.join(', ')}`,
  };
}

/** Months wholly inside `allDates` whose valid days fall short of `need(month)`. */
function shortMonths(
  validDates: readonly string[],
  allDates: readonly string[],
  need: (month: number) => number,
): string[] {
  const total = countByMonth(allDates);
  const valid = countByMonth(validDates);
  const short: string[] = [];
  for (const [ym, days] of total) {
    const { year, month } = parseDateKey(`${ym}-01`);
    if (days < daysInMonth(year, month)) continue;
    if ((valid.get(ym) ?? 0) < need(month)) short.push(ym);
  }
  return short;
}

function countByMonth(dates: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of dates) counts.set(d.slice(0, 7), (counts.get(d.slice(0, 7)) ?? 0) + 1);
  return counts;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * EU ozone (2008/50/EC Annex VII): exceedance counts for a year need five of the six summer months
 * (April–September) with at least 27 valid daily maxima each. Undefined when the period does not
 * hold all six summer months (the general rule applies then).
 */
export function ozoneSummerCoverage(
  rules: ValidityRules,
  validDates: readonly string[],
  allDates: readonly string[],
): Coverage | undefined {
  const summer = rules.ozoneSummer;
  if (!summer) return undefined;
  const total = countByMonth(allDates);
  const years = [...new Set(allDates.map((d) => d.slice(0, 4)))];
  if (years.length !== 1) return undefined;
  const months = summer.months.map((m) => `${years[0]}-${String(m).padStart(2, '0')}`);
  if (months.some((ym) => (total.get(ym) ?? 0) < daysInMonth(Number(years[0]), Number(ym.slice(5)))))
    return undefined;
  const valid = countByMonth(validDates);
  const have = months.filter((ym) => (valid.get(ym) ?? 0) >= summer.minDaysPerMonth).length;
  return {
    valid: have >= summer.minMonths,
    have,
    need: summer.minMonths,
    of: months.length,
    unit: 'months',
    rule: `${summer.minMonths} of ${months.length} summer months with ${summer.minDaysPerMonth} valid daily maxima`,
  };
}
