import type { CityCatalog } from '../domain/cities.ts';
import { isMetricId } from '../domain/metrics.ts';
import { finishDecode } from '../domain/payload-formats/measurement.ts';
import { describeProblems, type Problem, type Reading } from '../domain/reading.ts';
import { DEFAULT_TIME_POLICY, parseTimestamp, type TimePolicy } from '../domain/timestamps.ts';
import { DEVICE_ID_PATTERN } from '../domain/topics.ts';
import { canonicalUnit } from '../domain/units.ts';

/**
 * One CSV row of `ucap import` (columns ts,city,device,metric,value) checked with ingest's own
 * rules: the metric catalog, physically possible ranges and timestamp parsing of domain/, through
 * the same finishDecode every payload format ends in. Only the age limit differs: an import may
 * bring any past date; the future limit is ingest's.
 */
export const IMPORT_COLUMNS = ['ts', 'city', 'device', 'metric', 'value'] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

export const IMPORT_TIME_POLICY: TimePolicy = {
  maxFutureMs: DEFAULT_TIME_POLICY.maxFutureMs,
  maxAgeMs: Number.POSITIVE_INFINITY,
};

export type RowOutcome =
  | { readonly ok: true; readonly reading: Reading }
  | { readonly ok: false; readonly code: string; readonly reason: string };

/** Column positions from the header line; throws a message naming what is missing. */
export function columnIndex(header: string): Record<ImportColumn, number> {
  const names = header.split(',').map((name) =>
    name
      .trim()
      .replace(/^\uFEFF/, '')
      .toLowerCase(),
  );
  const missing = IMPORT_COLUMNS.filter((column) => !names.includes(column));
  if (missing.length > 0) {
    throw new Error(
      `the header line must name the columns ${IMPORT_COLUMNS.join(',')}; missing: ${missing.join(', ')}`,
    );
  }
  return Object.fromEntries(IMPORT_COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<ImportColumn, number>;
}

export type RowChecker = (fields: readonly string[], columns: Record<ImportColumn, number>) => RowOutcome;

/**
 * checkRow for one import. Research files hold one timestamp for many devices and metrics in a
 * row: the last parsed timestamp is kept, so each distinct time is parsed once.
 */
export function createRowChecker(cities: CityCatalog, now: number): RowChecker {
  let lastText: string | undefined;
  let lastTs: number | Problem = 0;
  const timestamp = (text: string) => {
    if (text !== lastText) {
      lastText = text;
      lastTs = parseTs(text);
    }
    return lastTs;
  };
  return (fields, columns) => checkRow(fields, columns, cities, now, timestamp);
}

// ts is RFC 3339 with offset, or epoch milliseconds.
function parseTs(text: string): number | Problem {
  return /^-?\d+$/.test(text) ? parseTimestamp(Number(text), 'ts', 'ms') : parseTimestamp(text, 'ts');
}

export function checkRow(
  fields: readonly string[],
  columns: Record<ImportColumn, number>,
  cities: CityCatalog,
  now: number,
  timestamp: (text: string) => number | Problem = parseTs,
): RowOutcome {
  // Inline, not a helper closure: this runs for every row of an import.
  const tsText = (fields[columns.ts] ?? '').trim();
  const city = (fields[columns.city] ?? '').trim();
  const deviceId = (fields[columns.device] ?? '').trim();
  const metric = (fields[columns.metric] ?? '').trim();
  const valueText = (fields[columns.value] ?? '').trim();
  if (!cities.has(city))
    return fail({ code: 'INGEST_UNKNOWN_CITY', message: `city "${city}" is not in the city catalog` });
  if (!DEVICE_ID_PATTERN.test(deviceId)) {
    return fail({
      code: 'INGEST_INVALID_PAYLOAD',
      path: 'device',
      message: `"${deviceId}" is not a device id`,
    });
  }
  if (!isMetricId(metric)) {
    return fail({
      code: 'INGEST_UNKNOWN_METRIC',
      path: 'metric',
      message: `"${metric}" is not in the metric catalog`,
    });
  }
  const value = valueText === '' ? Number.NaN : Number(valueText);
  if (!Number.isFinite(value)) {
    return fail({ code: 'INGEST_INVALID_PAYLOAD', path: 'value', message: `"${valueText}" is not a number` });
  }
  const ts = timestamp(tsText);
  if (typeof ts !== 'number') return fail(ts);
  const result = finishDecode(
    [{ metric, value, unit: canonicalUnit(metric), ts, timeSource: 'device', path: 'value' }],
    [],
    { city, deviceId, receivedAt: now, timePolicy: IMPORT_TIME_POLICY },
    { duplicates: 'reject', nothingFound: 'no value' },
  );
  if (!result.ok) return fail(...result.problems);
  const [reading] = result.readings;
  return reading === undefined
    ? fail({ code: 'INGEST_INVALID_PAYLOAD', message: 'no reading' })
    : { ok: true, reading };
}

function fail(...problems: Problem[]): RowOutcome {
  return {
    ok: false,
    code: problems[0]?.code ?? 'INGEST_INVALID_PAYLOAD',
    reason: describeProblems(problems),
  };
}
