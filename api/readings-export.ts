import { z } from 'zod';
import type { Reading } from '../domain/reading.ts';
import type { ReadingsQuery, TimeSeriesStore } from '../store/time-series-store.ts';
import { badParameter } from './api-request-error.ts';
import { toUtcRfc3339 } from './local-time.ts';

/**
 * Paging and formats of GET /v1/readings. A cursor is where the next page starts: a time and how
 * many readings at exactly that time were already given (readings are ordered by time, device,
 * metric, so ties are skipped exactly). It is opaque to clients: base64url of a small JSON object.
 */
export interface ReadingsCursor {
  readonly from: number;
  readonly offset: number;
}

const cursorSchema = z.object({ f: z.number().int(), o: z.number().int().min(0).max(1_000_000) });

export function encodeCursor(cursor: ReadingsCursor): string {
  return Buffer.from(JSON.stringify({ f: cursor.from, o: cursor.offset })).toString('base64url');
}

export function decodeCursor(text: string, range: { from: number; to: number }): ReadingsCursor {
  let parsed: z.infer<typeof cursorSchema> | undefined;
  try {
    parsed = cursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || parsed.f < range.from || parsed.f >= range.to) {
    throw badParameter(
      'cursor',
      'is not a cursor of this range: pass nextCursor from the previous page unchanged, with the same from and to',
    );
  }
  return { from: parsed.f, offset: parsed.o };
}

/** The cursor after `page`, which started at `cursor`. */
export function nextCursor(cursor: ReadingsCursor, page: readonly Reading[]): ReadingsCursor {
  const last = page.at(-1);
  if (last === undefined) return cursor;
  let atLast = 0;
  for (let i = page.length - 1; i >= 0 && page[i]?.ts === last.ts; i -= 1) atLast += 1;
  return { from: last.ts, offset: last.ts === cursor.from ? cursor.offset + atLast : atLast };
}

export type StreamFormat = 'ndjson' | 'csv';

export const CSV_HEADER = 'ts,city,device,metric,value\n';

/** One reading as a line of the format; CSV columns are those `ucap import` reads. */
export function formatLine(reading: Reading, format: StreamFormat): string {
  const ts = toUtcRfc3339(reading.ts);
  if (format === 'csv') {
    return `${ts},${csvField(reading.city)},${csvField(reading.deviceId)},${reading.metric},${reading.value}\n`;
  }
  return `${JSON.stringify({
    ts,
    city: reading.city,
    deviceId: reading.deviceId,
    metric: reading.metric,
    value: reading.value,
    timeSource: reading.timeSource ?? 'device',
  })}\n`;
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Readings per store query while streaming: large enough to be fast, small enough to stay flat. */
export const EXPORT_PAGE = 10_000;
/** First time window an export page is asked for; it then follows the data's density. */
const FIRST_WINDOW_MS = 3_600_000;

type ReadPage = (read: (signal: AbortSignal) => Promise<Reading[]>) => Promise<Reading[]>;

/**
 * The readings of a query from `cursor` on, page by page: an async generator, so the next page is
 * read only when the consumer has taken the previous one (backpressure), and memory stays one page
 * whatever the size of the export.
 *
 * Each page is asked for within a time window, not the whole rest of the range: a store answers
 * "first N readings from t" by looking at every reading after t, so unbounded pages made a long
 * export quadratic. The window grows while pages come back short and shrinks to about the span a
 * full page covered, so a page costs about its own size.
 */
export async function* exportPages(
  store: Pick<TimeSeriesStore, 'readings'>,
  query: Omit<ReadingsQuery, 'from' | 'offset' | 'limit' | 'signal'>,
  start: ReadingsCursor,
  limit: number,
  readPage: ReadPage,
): AsyncGenerator<Reading[]> {
  let cursor = start;
  let remaining = limit;
  let windowMs = FIRST_WINDOW_MS;
  while (remaining > 0 && cursor.from < query.to) {
    const asked = Math.min(EXPORT_PAGE, remaining);
    const at = cursor;
    const windowEnd = Math.min(query.to, at.from + windowMs);
    const page = await readPage((signal) =>
      store.readings({ ...query, to: windowEnd, from: at.from, offset: at.offset, limit: asked, signal }),
    );
    if (page.length > 0) yield page;
    remaining -= page.length;
    if (page.length < asked) {
      // The window is exhausted: go on after it, with a wider one.
      if (windowEnd >= query.to) return;
      cursor = { from: windowEnd, offset: 0 };
      windowMs *= 4;
      continue;
    }
    cursor = nextCursor(cursor, page);
    const span = (page.at(-1)?.ts ?? at.from) - at.from;
    windowMs = Math.max(1000, span * 2);
  }
}

/** exportPages formatted as lines of ndjson or csv (with its header line first). */
export async function* exportLines(
  store: Pick<TimeSeriesStore, 'readings'>,
  query: Omit<ReadingsQuery, 'from' | 'offset' | 'limit' | 'signal'>,
  start: ReadingsCursor,
  limit: number,
  format: StreamFormat,
  readPage: ReadPage,
): AsyncGenerator<string> {
  if (format === 'csv') yield CSV_HEADER;
  for await (const page of exportPages(store, query, start, limit, readPage)) {
    let chunk = '';
    for (const reading of page) chunk += formatLine(reading, format);
    yield chunk;
  }
}
