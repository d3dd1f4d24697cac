import type { DeviceRegistry } from '../devices/device-registry.ts';
import {
  type BucketValidity,
  bucketBasis,
  bucketCriterion,
  judgeBuckets,
} from '../domain/air-quality/bucket-validity.ts';
import {
  CHINA_VALIDITY,
  EPA_VALIDITY,
  EU_VALIDITY,
  type ValidityRules,
  WHO_VALIDITY,
} from '../domain/air-quality/validity-rules.ts';
import type { City } from '../domain/cities.ts';
import type {
  DeviceSeries,
  DeviceSpacing,
  SeriesQuery,
  TimeSeriesStore,
} from '../store/time-series-store.ts';
import { badParameter } from './api-request-error.ts';
import { bucketCount, MAX_BUCKETS } from './bucket-duration.ts';

/**
 * Coverage of /v1/series buckets: how many readings each holds, what share of the expected
 * readings that is, and whether the bucket is valid by a standard's data-validity rules
 * (domain/air-quality/bucket-validity.ts).
 *
 * Expected readings come from the device's reporting interval: the one its registry entry declares
 * (`meta.reportingInterval`, e.g. "30s", "5m"), else the median spacing of the device's readings of
 * the metric in the requested range (its last SPACING_SAMPLE_MS when longer; the median is robust
 * to the gaps coverage is there to reveal), else, with fewer than two readings, a default.
 */
export const DEFAULT_REPORTING_INTERVAL_MS = 60_000;

const HOUR_MS = 3_600_000;

export const VALIDITY_RULES = {
  eu: EU_VALIDITY,
  china: CHINA_VALIDITY,
  who: WHO_VALIDITY,
  epa: EPA_VALIDITY,
} as const satisfies Record<ValidityRules['id'], ValidityRules>;
export type ValidityRuleId = keyof typeof VALIDITY_RULES;
export const VALIDITY_RULE_IDS = Object.keys(VALIDITY_RULES) as [ValidityRuleId, ...ValidityRuleId[]];

/** The city's own standard: China's rules for cities in China, the EU's elsewhere. */
export function defaultValidityRule(city: City | undefined): ValidityRuleId {
  return city?.country === 'CN' ? 'china' : 'eu';
}

export interface ExpectedInterval {
  readonly ms: number;
  readonly source: 'registry' | 'median-spacing' | 'default';
}

/** The registry key a device's declared reporting interval is read from. */
export const REPORTING_INTERVAL_META = 'reportingInterval';
const DECLARED_INTERVAL = /^([1-9][0-9]{0,5})(s|m|h)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: HOUR_MS } as const;

/** Milliseconds of a declared interval such as "30s", "5m" or "1h"; undefined when it is not one. */
export function parseReportingInterval(text: string | undefined): number | undefined {
  const match = text === undefined ? null : DECLARED_INTERVAL.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** Declared intervals by device id (devices declaring none, or an unreadable one, are left out). */
export function declaredIntervals(
  devices: ReadonlyArray<{
    readonly id: string;
    readonly meta?: Readonly<Record<string, string>> | undefined;
  }>,
): Map<string, number> {
  const found = new Map<string, number>();
  for (const device of devices) {
    const ms = parseReportingInterval(device.meta?.[REPORTING_INTERVAL_META]);
    if (ms !== undefined) found.set(device.id, ms);
  }
  return found;
}

export interface CoveredSeries extends DeviceSeries {
  readonly expectedInterval: ExpectedInterval;
  /** One per point, in the same order. */
  readonly judged: readonly BucketValidity[];
}

/** Buckets judged by hourly values need one per hour of the range: bounded like any series. */
export function checkCoverageRange(from: number, to: number, everyMs: number): void {
  if (bucketBasis(everyMs) === 'readings') return;
  const hours = bucketCount(from, to, HOUR_MS);
  if (hours > MAX_BUCKETS) {
    throw badParameter(
      'include',
      `coverage of buckets longer than an hour is judged from hourly values, at most ${MAX_BUCKETS} hours per request (this range has ${hours}); shorten from..to`,
    );
  }
}

/** What the response says about the rule applied. */
export function describeValidity(id: ValidityRuleId, everyMs: number) {
  const rules = VALIDITY_RULES[id];
  return {
    rules: id,
    standard: rules.source.reference,
    criterion: bucketCriterion(rules, everyMs).text,
    defaultIntervalMs: DEFAULT_REPORTING_INTERVAL_MS,
    uncertainties: rules.uncertainties.map((u) => `${u.what}: ${u.why}`),
  };
}

export interface CoverageInputs {
  /** Readings per local hour, for buckets judged by hourly values (else empty). */
  readonly hourly: readonly DeviceSeries[];
  readonly spacing: readonly DeviceSpacing[];
  /** Intervals the registry declares, by device id. */
  readonly declared: ReadonlyMap<string, number>;
}

/**
 * The series with each point's count (same query), and what coverage needs besides: counts per
 * local hour (rollups where whole hours allow), reading spacing (SPACING_SAMPLE_MS) and the
 * registry's declared intervals. All run together under the caller's signal, so the heavy-route
 * deadline and cancellation cover them.
 */
export async function readSeriesWithCoverage(
  store: TimeSeriesStore,
  registry: Pick<DeviceRegistry, 'list'>,
  query: SeriesQuery,
): Promise<[DeviceSeries[], CoverageInputs]> {
  const byHour = bucketBasis(query.everyMs) !== 'readings';
  const sampleFrom = Math.max(query.from, query.to - SPACING_SAMPLE_MS);
  const [series, hourly, sample, devices] = await Promise.all([
    store.series({ ...query, withCount: true }),
    byHour ? store.series({ ...query, agg: 'count', everyMs: HOUR_MS }) : [],
    spacingOver(store, query, sampleFrom),
    registry.list({ city: query.city }),
  ]);
  const declared = declaredIntervals(devices);
  const measured = new Set([...sample.map((s) => s.deviceId), ...declared.keys()]);
  const complete = sampleFrom === query.from || series.every((s) => measured.has(s.deviceId));
  const spacing = complete ? sample : await spacingOver(store, query, query.from);
  return [series, { hourly, spacing, declared }];
}

/**
 * The median gap is measured over the last SPACING_SAMPLE_MS of the range (hundreds of gaps at
 * usual intervals, for a tenth of a month's scan); when a device with readings in the range has
 * fewer than two there, every device is measured over the whole range.
 */
export const SPACING_SAMPLE_MS = 3 * 24 * HOUR_MS;

function spacingOver(store: TimeSeriesStore, query: SeriesQuery, from: number) {
  return store.readingSpacing({
    city: query.city,
    metric: query.metric,
    ...(query.deviceId === undefined ? {} : { deviceId: query.deviceId }),
    from,
    to: query.to,
    ...(query.signal === undefined ? {} : { signal: query.signal }),
  });
}

function intervalOf(
  deviceId: string,
  declared: ReadonlyMap<string, number>,
  spacing: ReadonlyMap<string, number>,
): ExpectedInterval {
  const fromRegistry = declared.get(deviceId);
  if (fromRegistry !== undefined) return { ms: fromRegistry, source: 'registry' };
  const median = spacing.get(deviceId);
  if (median !== undefined && median > 0) return { ms: median, source: 'median-spacing' };
  return { ms: DEFAULT_REPORTING_INTERVAL_MS, source: 'default' };
}

/** Count, coverage and validity on each point of each series. */
export function applyCoverage(
  query: SeriesQuery,
  series: readonly DeviceSeries[],
  inputs: CoverageInputs,
  rule: ValidityRuleId,
): CoveredSeries[] {
  const hourlyOf = new Map(
    inputs.hourly.map((s) => [s.deviceId, s.points.map((p) => ({ ts: p.ts, count: p.value }))]),
  );
  const spacingOf = new Map(inputs.spacing.map((s) => [s.deviceId, s.medianMs]));
  const rules = VALIDITY_RULES[rule];
  return series.map((s) => {
    const expectedInterval = intervalOf(s.deviceId, inputs.declared, spacingOf);
    const buckets = s.points.map((p) => ({ ts: p.ts, count: p.count ?? 0 }));
    const judged = judgeBuckets(
      { rules, everyMs: query.everyMs, timeZone: query.timeZone, intervalMs: expectedInterval.ms },
      buckets,
      hourlyOf.get(s.deviceId),
    );
    return { deviceId: s.deviceId, points: s.points, expectedInterval, judged };
  });
}
