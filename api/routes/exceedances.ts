import { z } from 'zod';
import { fetchHourlySeries } from '../../aqi/hourly-pollutant-series.ts';
import { AVERAGING_MARGIN_MS } from '../../domain/air-quality/averaging.ts';
import type { LimitAssessment } from '../../domain/air-quality/index.ts';
import { localYear } from '../../domain/air-quality/local-calendar.ts';
import type { ApiApp, RouteDeps } from '../api-deps.ts';
import { badParameter } from '../api-request-error.ts';
import { toLocalRfc3339, toUtcRfc3339 } from '../local-time.ts';
import {
  gradeParameter,
  gradesOf,
  limitStandardParameter,
  yearParameter,
} from '../schemas/air-quality-parameters.ts';
import { cityParameter, deviceParameter } from '../schemas/query-parameters.ts';
import { errorResponses, utcTime } from '../schemas/response-parts.ts';

const coverageSchema = z
  .object({
    valid: z.boolean().describe('Whether the data coverage makes the result valid under the standard.'),
    have: z.number().describe('Valid hours, days or months there are.'),
    need: z.number().describe('How many the rule needs.'),
    of: z.number().describe('How many there could have been in the period.'),
    unit: z.string().describe('hours, days or months.'),
    rule: z.string().describe('The rule applied, in words (and what fell short).'),
  })
  .describe('Data coverage of the statistic.');

const limitSchema = z.object({
  id: z.string().describe('Limit id within the standard (e.g. pm10-24h).'),
  pollutant: z.string().describe('Metric id (pm25, pm10, no2, o3, so2, co).'),
  averaging: z
    .string()
    .describe('What the value is defined on: 1h, 24h, 8h-daily-max, annual, 3h-consecutive, peak-season, …'),
  value: z.number().describe('The limit value.'),
  unit: z.string().describe('µg/m³, or mg/m³ for CO.'),
  kind: z.string().describe('limit, target, guideline, interim-target, information-threshold, …'),
  judgedBy: z
    .string()
    .describe('count (exceedances against an allowed number), mean, percentile, events or not-assessable.'),
  percentile: z.number().nullable().describe('For judgedBy=percentile, which one (e.g. 95).'),
  status: z.enum(['assessed', 'no-data', 'not-assessable']),
  exceedances: z.number().nullable().describe('Averages above the value in the period.'),
  exceedanceUnit: z.string().nullable().describe('hours, days, or episodes (3 consecutive hours).'),
  allowed: z.number().nullable().describe('Exceedances the standard allows per year (judgedBy=count).'),
  statistic: z
    .number()
    .nullable()
    .describe('The assessed statistic: the count, the period mean, or the percentile.'),
  complies: z
    .boolean()
    .nullable()
    .describe(
      'Whether the statistic meets the limit on the data there is; see coverage.valid for whether that data suffices. Null for thresholds.',
    ),
  samples: z.number().nullable().describe('Averages the statistic rests on.'),
  coverage: coverageSchema.nullable(),
  note: z.string().nullable(),
  uncertain: z.string().nullable().describe('Set when the reference marks the value uncertain.'),
  detail: z.string().nullable(),
});

const exceedancesResponseSchema = z.object({
  city: z.string(),
  timeZone: z.string().describe('IANA zone whose calendar defines the year, days and hours.'),
  device: z.string().nullable().describe('The device asked for; null for the city as a whole.'),
  devices: z.array(z.string()).describe('Devices whose readings entered the assessment.'),
  standard: z.string(),
  name: z.string().describe('Full name of the standard.'),
  grade: z.string().nullable(),
  phase: z.string().nullable().describe('GB 3095-2026: transition (to 2030) or final (from 2031).'),
  year: z.number(),
  period: z.object({
    from: z.string().describe('First local day, YYYY-MM-DD.'),
    to: z.string().describe('Local day after the last one, YYYY-MM-DD.'),
    start: utcTime('First instant of the period.'),
    end: utcTime('First instant after the period.'),
    startLocal: z.string().describe('`start` in the city zone.'),
  }),
  validityRules: z.string().describe('Family of coverage rules applied: eu, who, china or epa.'),
  limits: z.array(limitSchema),
});

type WireLimit = z.infer<typeof limitSchema>;

const finite = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

export function toWireLimit(a: LimitAssessment): WireLimit {
  const { limit } = a;
  return {
    id: limit.id,
    pollutant: limit.pollutant,
    averaging: limit.averaging,
    value: limit.value,
    unit: limit.unit,
    kind: limit.kind,
    judgedBy: limit.assessment.kind,
    percentile: limit.assessment.kind === 'percentile' ? limit.assessment.p : null,
    status: a.status,
    exceedances: a.exceedances ?? null,
    exceedanceUnit: a.exceedanceUnit ?? null,
    allowed: a.allowed ?? null,
    statistic: finite(a.statistic),
    complies: a.compliant ?? null,
    samples: a.samples ?? null,
    coverage: a.coverage === undefined ? null : { ...a.coverage },
    note: limit.note ?? null,
    uncertain: limit.uncertain ?? null,
    detail: a.detail ?? null,
  };
}

function checkGrade(standard: string, grade: string | undefined): void {
  if (grade === undefined) return;
  const { grades } = gradesOf(standard);
  if (grades.length === 0) throw badParameter('grade', `${standard} has no grades; leave grade out`, []);
  if (!grades.includes(grade))
    throw badParameter('grade', `"${grade}" is not a grade of ${standard}`, grades);
}

export function registerExceedancesRoute(app: ApiApp, deps: RouteDeps & { now: () => number }): void {
  app.get(
    '/v1/exceedances',
    {
      schema: {
        summary: 'Limit values and exceedances over a local calendar year',
        description:
          'For each limit of a standard (grade, and phase by year): the averages it is defined on over the city calendar, exceedances against the allowed count (or the mean / percentile the standard judges by), and whether data coverage makes the result valid. Without `device`, each hour is the mean over the devices of the city that reported it.',
        tags: ['air quality'],
        querystring: z.strictObject({
          city: cityParameter(deps.cities),
          device: deviceParameter.optional().describe('Only this device (default: the city as a whole).'),
          standard: limitStandardParameter,
          grade: gradeParameter.optional(),
          year: yearParameter.optional(),
        }),
        response: { 200: exceedancesResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { city, device, standard, grade } = request.query;
      checkGrade(standard, grade);
      const timeZone = deps.cities.get(city)?.timeZone ?? 'UTC';
      const year = request.query.year ?? Number(toLocalRfc3339(deps.now(), timeZone).slice(0, 4));
      const range = localYear(year, timeZone);
      const { data, report } = await deps.heavy.run(reply, async (signal) => {
        const data = await fetchHourlySeries(deps.store, {
          city,
          ...(device === undefined ? {} : { deviceId: device }),
          from: range.from - AVERAGING_MARGIN_MS,
          to: range.to + AVERAGING_MARGIN_MS,
          timeZone,
          signal,
        });
        const input = {
          standard,
          ...(grade === undefined ? {} : { grade }),
          timeZone,
          period: { year },
          series: data.series,
        };
        return { data, report: await deps.compute.exceedances(input, signal) };
      });
      return {
        city,
        timeZone,
        device: device ?? null,
        devices: [...data.devices],
        standard,
        name: report.name,
        grade: report.grade ?? null,
        phase: report.phase ?? null,
        year,
        period: {
          from: report.period.from,
          to: report.period.to,
          start: toUtcRfc3339(report.period.start),
          end: toUtcRfc3339(report.period.end),
          startLocal: toLocalRfc3339(report.period.start, timeZone),
        },
        validityRules: report.validityRules,
        limits: report.assessments.map(toWireLimit),
      };
    },
  );
}
