import { UcapError } from '../errors.ts';
import type {
  AssessExceedancesInput,
  AssessmentContext,
  AssessmentPeriod,
  ExceedanceReport,
  LimitAssessment,
  Sample,
  Sampled,
} from './assessment-types.ts';
import { dailyMeans, type HourlyValue, indexHourly } from './averaging.ts';
import { dayCoverage, hourCoverage, ozoneSummerCoverage } from './coverage.ts';
import { dailyMax8h } from './daily-max-8h.ts';
import type { LimitValue } from './limit-types.ts';
import { isLimitStandardId, limitValuesFor } from './limit-values.ts';
import { dateKeysBetween, formatDateKey, HOUR_MS, parseDateKey, startOfLocalDay } from './local-calendar.ts';
import { peakSeasonMean } from './peak-season.ts';
import { percentile } from './percentile.ts';
import type { AqPollutant } from './pollutants.ts';

function resolvePeriod(period: AssessmentPeriod): { from: string; to: string; year: number } {
  if ('year' in period) {
    if (!Number.isInteger(period.year))
      throw new UcapError('AQ_INVALID_INPUT', `year ${period.year} is not an integer`);
    const from = formatDateKey(period.year, 1, 1);
    return { from, to: formatDateKey(period.year + 1, 1, 1), year: period.year };
  }
  const { year } = parseDateKey(period.from);
  parseDateKey(period.to);
  if (period.to <= period.from)
    throw new UcapError('AQ_INVALID_INPUT', `period ${period.from}…${period.to} is empty`);
  return { from: period.from, to: period.to, year };
}

function hourlySamples(series: readonly HourlyValue[], ctx: AssessmentContext): Sampled {
  const samples: Sample[] = [];
  for (const [ts, value] of indexHourly(series))
    if (ts >= ctx.start && ts < ctx.end) samples.push({ key: ts, value });
  samples.sort((a, b) => Number(a.key) - Number(b.key));
  const coverage =
    ctx.rules.yearCoverage.kind === 'fraction'
      ? hourCoverage(ctx.rules, samples.length, Math.round((ctx.end - ctx.start) / HOUR_MS))
      : dailySamples(series, ctx).coverage;
  return { samples, unit: 'hours', coverage };
}

function dailySamples(series: readonly HourlyValue[], ctx: AssessmentContext): Sampled {
  const days = dailyMeans(series, {
    timeZone: ctx.timeZone,
    minHours: ctx.rules.dailyMinHours,
    from: ctx.from,
    to: ctx.to,
  });
  const samples = days.flatMap((d) =>
    d.valid && d.value !== undefined ? [{ key: d.date, value: d.value }] : [],
  );
  return {
    samples,
    unit: 'days',
    coverage: dayCoverage(
      ctx.rules,
      samples.map((s) => String(s.key)),
      ctx.days,
    ),
  };
}

function mda8Samples(
  series: readonly HourlyValue[],
  ctx: AssessmentContext,
  pollutant: AqPollutant,
): Sampled {
  const days = dailyMax8h(series, {
    timeZone: ctx.timeZone,
    rule: ctx.rules.dailyMax8h,
    from: ctx.from,
    to: ctx.to,
  });
  const samples = days.flatMap((d) =>
    d.valid && d.value !== undefined ? [{ key: d.date, value: d.value }] : [],
  );
  const dates = samples.map((s) => String(s.key));
  const summer = pollutant === 'o3' ? ozoneSummerCoverage(ctx.rules, dates, ctx.days) : undefined;
  return { samples, unit: 'days', coverage: summer ?? dayCoverage(ctx.rules, dates, ctx.days) };
}

function samplesFor(
  limit: LimitValue,
  series: readonly HourlyValue[],
  ctx: AssessmentContext,
): Sampled | undefined {
  switch (limit.averaging) {
    case '1h':
    case '3h-consecutive':
      return hourlySamples(series, ctx);
    case '24h':
      return dailySamples(series, ctx);
    case '8h-daily-max':
      return mda8Samples(series, ctx, limit.pollutant);
    case 'annual':
      return ctx.rules.yearCoverage.kind === 'fraction'
        ? hourlySamples(series, ctx)
        : dailySamples(series, ctx);
    default:
      return undefined;
  }
}

/** Runs of at least 3 consecutive hours above the value (a missing hour ends a run). */
function episodes(samples: readonly Sample[], value: number): number {
  let runs = 0;
  let length = 0;
  let lastAbove = Number.NaN;
  for (const s of samples) {
    const ts = Number(s.key);
    if (s.value > value) {
      length = ts - lastAbove === HOUR_MS ? length + 1 : 1;
      lastAbove = ts;
      if (length === 3) runs++;
    } else {
      length = 0;
      lastAbove = Number.NaN;
    }
  }
  return runs;
}

function assessOne(
  limit: LimitValue,
  series: readonly HourlyValue[] | undefined,
  ctx: AssessmentContext,
): LimitAssessment {
  const a = limit.assessment;
  if (a.kind === 'not-assessable') return { limit, status: 'not-assessable', detail: a.reason };
  if (!series || series.length === 0) return { limit, status: 'no-data' };
  if (limit.averaging === 'peak-season') return peakSeasonMean(limit, series, ctx);
  const sampled = samplesFor(limit, series, ctx);
  if (!sampled) return { limit, status: 'not-assessable', detail: `no method for ${limit.averaging}` };
  const { samples, coverage } = sampled;
  if (samples.length === 0) return { limit, status: 'no-data', coverage };
  const above = samples.filter((s) => s.value > limit.value).length;
  const isEpisodes = limit.averaging === '3h-consecutive';
  const base = {
    limit,
    status: 'assessed' as const,
    exceedances: isEpisodes ? episodes(samples, limit.value) : above,
    exceedanceUnit: isEpisodes ? ('episodes' as const) : sampled.unit,
    samples: samples.length,
    coverage,
  };
  const values = samples.map((s) => s.value);
  switch (a.kind) {
    case 'count':
      return { ...base, allowed: a.allowed, statistic: above, compliant: above <= a.allowed };
    case 'mean': {
      const mean = values.reduce((x, y) => x + y, 0) / values.length;
      return { ...base, statistic: mean, compliant: mean <= limit.value };
    }
    case 'percentile': {
      const p = percentile(values, a.p) ?? Number.NaN;
      return { ...base, statistic: p, compliant: p <= limit.value, detail: `${a.p}th percentile` };
    }
    default:
      return base;
  }
}

/**
 * For a standard (grade, year): each limit's averages over the local calendar, the number of
 * exceedances against the allowed count — or the mean / percentile against the value where the
 * standard judges that way — and whether data coverage makes the result valid.
 */
export function assessExceedances(input: AssessExceedancesInput): ExceedanceReport {
  if (!isLimitStandardId(input.standard)) {
    throw new UcapError('AQ_INVALID_INPUT', `unknown limit-value standard "${input.standard}"`);
  }
  const { from, to, year } = resolvePeriod(input.period);
  const selected = limitValuesFor(input.standard, {
    ...(input.grade === undefined ? {} : { grade: input.grade }),
    year,
  });
  const ctx: AssessmentContext = {
    timeZone: input.timeZone,
    from,
    to,
    start: startOfLocalDay(from, input.timeZone),
    end: startOfLocalDay(to, input.timeZone),
    days: dateKeysBetween(from, to),
    rules: selected.standard.validity,
  };
  return {
    standard: input.standard,
    name: selected.standard.name,
    ...(selected.grade === undefined ? {} : { grade: selected.grade }),
    ...(selected.phase === undefined ? {} : { phase: selected.phase }),
    timeZone: input.timeZone,
    period: { from, to, start: ctx.start, end: ctx.end },
    validityRules: ctx.rules.id,
    assessments: selected.limits.map((l) => assessOne(l, input.series[l.pollutant], ctx)),
  };
}
