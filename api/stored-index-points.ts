import { indexRevision } from '../aqi/index-revision.ts';
import type { IndexPoint, IndexStandardId } from '../domain/air-quality/index.ts';
import { HOUR_MS } from '../domain/air-quality/local-calendar.ts';
import type { IndexRow } from '../store/index-row.ts';
import type {
  IndexCoverage,
  IndexSeriesReader,
  StoredIndexQuery,
  StoredIndexSeries,
} from '../store/index-series-sink.ts';

/**
 * Which points of a /v1/aqi request the stored index series can give (the numbers Grafana shows),
 * and which span must be computed from readings. A stored period is trusted when the maintainer
 * computed its local day after the period was complete: an hour once it has ended; a day once it
 * has ended, and for the US EPA 8 hours later, since its daily ozone and CO maxima take 8-hour
 * windows beginning as late as 23:00 (domain/air-quality/daily-max-8h.ts; EU and China windows end
 * within the day). Everything else — the open hour or day, days the
 * maintainer has not computed (before it ran, late readings not flushed yet), a version other than
 * the stored one, rows this code cannot read, days computed by code that answers differently
 * (aqi/index-revision.ts) — is computed, in as few spans as they make (adjacent periods join).
 */
export function dailySettleMs(standard: IndexStandardId): number {
  return standard === 'epa' ? 8 * HOUR_MS : 0;
}

/** The query of the stored series ([from, to) as resolveIndexRange gives it), and the version asked for. */
export interface StoredIndexRequest extends Omit<StoredIndexQuery, 'signal'> {
  /** Stored rows of another version are computed again. */
  readonly version?: string;
}

export interface StoredIndexPoints {
  /** Stored points outside `compute`, ascending. */
  readonly points: readonly IndexPoint[];
  /** Devices of those points, sorted. */
  readonly devices: readonly string[];
  /** The [from, to) spans still to compute from readings, ascending; empty when all was stored. */
  readonly compute: readonly Span[];
}

export interface Span {
  readonly from: number;
  readonly to: number;
}

export async function storedIndexPoints(
  reader: IndexSeriesReader | undefined,
  request: StoredIndexRequest,
): Promise<StoredIndexPoints> {
  const everything = { points: [], devices: [], compute: [{ from: request.from, to: request.to }] };
  if (reader === undefined) return everything;
  const stored = await reader.read({
    city: request.city,
    ...(request.deviceId === undefined ? {} : { deviceId: request.deviceId }),
    standard: request.standard,
    every: request.every,
    from: request.from,
    to: request.to,
  });
  // Days computed by code that answers differently (before an upgrade) are as good as absent.
  const revision = indexRevision();
  const current = { ...stored, coverage: stored.coverage.filter((c) => c.revision === revision) };
  if (current.coverage.length === 0) return everything;
  const compute = uncoveredSpans(current, request);
  const used = stored.rows.filter((row) => !compute.some((span) => row.ts >= span.from && row.ts < span.to));
  return {
    points: used.map((row) => ({ ts: row.ts, date: row.date, result: row.result })),
    devices: [...new Set(used.flatMap((row) => row.devices))].sort(),
    compute,
  };
}

function uncoveredSpans(stored: StoredIndexSeries, request: StoredIndexRequest): Span[] {
  const rowAt = new Map<number, IndexRow>(stored.rows.map((row) => [row.ts, row]));
  const unreadable = new Set(stored.unreadable);
  const versionOk = (ts: number) => {
    if (unreadable.has(ts)) return false;
    const row = rowAt.get(ts);
    return request.version === undefined || row === undefined || row.version === request.version;
  };
  const spans: { from: number; to: number }[] = [];
  const uncovered = (from: number, to: number) => {
    const previous = spans[spans.length - 1];
    if (previous !== undefined && previous.to === from) previous.to = to;
    else spans.push({ from, to });
  };
  let t = request.from;
  let k = 0;
  while (t < request.to) {
    while (k < stored.coverage.length && (stored.coverage[k] as IndexCoverage).to <= t) k += 1;
    const day = stored.coverage[k];
    if (day === undefined || day.from > t) {
      // Not computed at all: up to the next computed day.
      const end = Math.min(day?.from ?? request.to, request.to);
      uncovered(t, end);
      t = end;
      continue;
    }
    const end = Math.min(day.to, request.to);
    if (request.every === '1d') {
      const settled = day.computedAt >= day.to + dailySettleMs(request.standard);
      if (!settled || !versionOk(day.from)) uncovered(t, end);
    } else {
      for (let hour = t; hour < end; hour += HOUR_MS) {
        if (day.computedAt < hour + HOUR_MS || !versionOk(hour)) uncovered(hour, hour + HOUR_MS);
      }
    }
    t = end;
  }
  return spans.map((span) => ({ from: span.from, to: Math.min(span.to, request.to) }));
}
