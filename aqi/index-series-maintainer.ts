import { setTimeout as sleep } from 'node:timers/promises';
import type { IndexStandardId } from '../domain/air-quality/index.ts';
import {
  addDays,
  dateKeysBetween,
  localDateKey,
  startOfLocalDay,
} from '../domain/air-quality/local-calendar.ts';
import { AQ_POLLUTANTS } from '../domain/air-quality/pollutants.ts';
import type { CityCatalog } from '../domain/cities.ts';
import { isRetryable } from '../domain/errors.ts';
import type { Reading } from '../domain/reading.ts';
import { type BackoffPolicy, backoffDelay } from '../platform/backoff.ts';
import type { IndexRow } from '../store/index-row.ts';
import type { IndexSeriesSink } from '../store/index-series-sink.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import { devicesReporting, fetchDeviceHourlySeries } from './device-hourly-series.ts';
import { indexRevision } from './index-revision.ts';
import { INDEX_STANDARDS, indexRows } from './index-rows.ts';

/**
 * Keeps the stored index series current: readings written through the store are noted (city and
 * local day), and each flush recomputes the touched days from the store's hourly means with the
 * same code as /v1/aqi, then replaces them in the sink. It lives beside the store adapters, not in
 * them: any writer that goes through `withIndexSeries` (aqi/index-series-store.ts) keeps it right,
 * late readings for an old hour included.
 *
 * What a reading on local day D can change: hourly indices of D and D+1 (trailing 24-hour means and
 * the 12-hour NowCast reach into the next day), daily indices of D-1 (EPA's 8-hour ozone windows
 * beginning at 23:00 end on D) and D. Those are what a flush rewrites.
 */
export interface IndexSeriesMaintainer {
  /** Remembers which city days the readings touch; cheap, no I/O. */
  noteReadings(readings: readonly Reading[]): void;
  /** Recomputes and rewrites every touched day; returns how much it did. */
  flush(): Promise<FlushReport>;
  /** Flushes every `intervalMs` until close(). */
  start(intervalMs: number): void;
  /** Stops the timer and flushes what is left, trying again a few times if the store fails for a moment. */
  close(): Promise<void>;
}

export interface FlushReport {
  readonly cities: number;
  readonly days: number;
  readonly rows: number;
}

export interface MaintainerOptions {
  readonly store: TimeSeriesStore;
  readonly sink: IndexSeriesSink;
  readonly cities: CityCatalog;
  readonly standards?: readonly IndexStandardId[];
  /** Called when a background flush fails; the touched days stay pending for the next one. */
  readonly onError?: (error: unknown) => void;
  /** The clock that stamps each flush's coverage (default Date.now). */
  readonly now?: () => number;
}

const POLLUTANTS: ReadonlySet<string> = new Set(AQ_POLLUTANTS);
const MARGIN_DAYS = 2;
const QUARTER_HOUR_MS = 900_000;
/** The last flush, at close, has no next timer to catch up: a retryable failure gets ~1 s more. */
const CLOSE_ATTEMPTS = 4;
const CLOSE_BACKOFF: BackoffPolicy = { initialDelayMs: 250, maxDelayMs: 1_000 };

export function createIndexSeriesMaintainer(options: MaintainerOptions): IndexSeriesMaintainer {
  const { store, sink, cities } = options;
  /** city → local dates (YYYY-MM-DD) touched since the last flush. */
  let pending = new Map<string, Set<string>>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<FlushReport> | undefined;

  // Every zone's offset is a whole number of quarter hours, so a quarter hour lies in one local day:
  // the day is worked out (Intl, slow) once per zone and quarter hour, not once per reading.
  const lastDay = new Map<string, { quarter: number; day: string }>();
  const dayOf = (ts: number, timeZone: string): string => {
    const quarter = Math.floor(ts / QUARTER_HOUR_MS);
    const known = lastDay.get(timeZone);
    if (known?.quarter === quarter) return known.day;
    const day = localDateKey(ts, timeZone);
    lastDay.set(timeZone, { quarter, day });
    return day;
  };

  function noteReadings(readings: readonly Reading[]): void {
    for (const r of readings) {
      if (!POLLUTANTS.has(r.metric)) continue;
      const timeZone = cities.get(r.city)?.timeZone;
      if (timeZone === undefined) continue;
      const days = pending.get(r.city) ?? new Set<string>();
      pending.set(r.city, days);
      days.add(dayOf(r.ts, timeZone));
    }
  }

  async function flushCity(city: string, dates: ReadonlySet<string>): Promise<number> {
    const timeZone = cities.get(city)?.timeZone ?? 'UTC';
    const sorted = [...dates].sort();
    const first = sorted[0] ?? '';
    const last = sorted[sorted.length - 1] ?? '';
    // Contiguous span of days is simpler than many small ranges, and touched days cluster.
    const hours = { from: startOfLocalDay(first, timeZone), to: startOfLocalDay(addDays(last, 2), timeZone) };
    const days = {
      from: startOfLocalDay(addDays(first, -1), timeZone),
      to: startOfLocalDay(addDays(last, 1), timeZone),
    };
    const computedAt = (options.now ?? Date.now)();
    const revision = indexRevision();
    const read = {
      city,
      from: startOfLocalDay(addDays(first, -MARGIN_DAYS), timeZone),
      to: startOfLocalDay(addDays(last, MARGIN_DAYS + 1), timeZone),
      timeZone,
    };
    // One store query per pollutant gives every device's hourly means, and the city mean from them.
    const data = await fetchDeviceHourlySeries(store, read);
    const common = { city, timeZone, hours, days, ...standardsOf() };
    const rows: IndexRow[] = indexRows({
      ...common,
      series: data.city,
      devicesBetween: devicesReporting(data.devices),
    });
    for (const [deviceId, series] of data.devices) {
      // A device's indices take a few ms: yield between devices so a flush never holds the event
      // loop (MQTT acks, API requests) for the whole city.
      await new Promise<void>((resolve) => setImmediate(resolve));
      rows.push(...indexRows({ ...common, deviceId, series }));
    }
    const standards = options.standards ?? INDEX_STANDARDS;
    const localDays = (from: string, to: string) =>
      dateKeysBetween(from, to).map((d) => ({
        from: startOfLocalDay(d, timeZone),
        to: startOfLocalDay(addDays(d, 1), timeZone),
      }));
    await sink.replace(
      {
        city,
        every: '1h',
        ...hours,
        standards,
        days: localDays(first, addDays(last, 2)),
        computedAt,
        revision,
      },
      rows.filter((r) => r.every === '1h'),
    );
    await sink.replace(
      {
        city,
        every: '1d',
        ...days,
        standards,
        days: localDays(addDays(first, -1), addDays(last, 1)),
        computedAt,
        revision,
      },
      rows.filter((r) => r.every === '1d'),
    );
    return rows.length;
  }

  function standardsOf(): { standards?: readonly IndexStandardId[] } {
    return options.standards === undefined ? {} : { standards: options.standards };
  }

  async function flushOnce(): Promise<FlushReport> {
    const work = pending;
    pending = new Map();
    let rows = 0;
    let days = 0;
    let done = 0;
    try {
      for (const [city, dates] of work) {
        rows += await flushCity(city, dates);
        days += dates.size;
        done += 1;
        work.delete(city);
      }
    } finally {
      // What failed stays pending, merged with what arrived meanwhile.
      for (const [city, dates] of work) {
        const merged = pending.get(city) ?? new Set<string>();
        for (const d of dates) merged.add(d);
        pending.set(city, merged);
      }
    }
    return { cities: done, days, rows };
  }

  async function flush(): Promise<FlushReport> {
    // One flush at a time; a caller arriving during one waits for it, then runs its own.
    while (running) await running.catch(() => undefined);
    running = flushOnce();
    try {
      return await running;
    } finally {
      running = undefined;
    }
  }

  return {
    noteReadings,
    flush,
    start(intervalMs) {
      timer ??= setInterval(() => {
        flush().catch((error: unknown) => options.onError?.(error));
      }, intervalMs);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      for (let attempt = 1; ; attempt += 1) {
        try {
          await flush();
          return;
        } catch (error) {
          if (attempt >= CLOSE_ATTEMPTS || !isRetryable(error)) throw error;
          options.onError?.(error);
          await sleep(backoffDelay(attempt - 1, CLOSE_BACKOFF));
        }
      }
    },
  };
}
