import { finished, Readable } from 'node:stream';
import { z } from 'zod';
import type { Reading } from '../domain/reading.ts';
import type { ReadingsQuery, ReadingsStream, TimeSeriesStore } from '../store/time-series-store.ts';
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
export function formatLine(reading: Reading, format: StreamFormat, ts = toUtcRfc3339(reading.ts)): string {
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

export type ReadPage = (read: (signal: AbortSignal) => Promise<Reading[]>) => Promise<Reading[]>;

/** Each page read at once, with no deadline: an export outside a request (benches, tests). */
export const readWithoutDeadline: ReadPage = (read) => read(new AbortController().signal);

/** What an export reads: the query from `start` on, at most `limit` readings, each page through `readPage`. */
export interface ExportRequest {
  readonly store: Pick<TimeSeriesStore, 'readings' | 'streamReadings'>;
  readonly query: Omit<ReadingsQuery, 'from' | 'offset' | 'limit' | 'signal'>;
  readonly start: ReadingsCursor;
  readonly limit: number;
  /** Runs one page's store read (in the API: a heavy-work slot with the request's deadline). */
  readonly readPage: ReadPage;
}

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
async function* exportPages(request: ExportRequest): AsyncGenerator<Reading[]> {
  const { store, query, start, limit, readPage } = request;
  if (store.streamReadings !== undefined) {
    yield* streamedPages(
      store.streamReadings({ ...query, from: start.from, offset: start.offset, limit }),
      readPage,
    );
    return;
  }
  const read = (step: PageStep) =>
    readPage((signal) =>
      store.readings({
        ...query,
        to: step.to,
        from: step.cursor.from,
        offset: step.cursor.offset,
        limit: step.asked,
        signal,
      }),
    );
  let step: PageStep | undefined = firstStep(start, limit, query.to);
  let pending = step === undefined ? undefined : read(step);
  while (step !== undefined && pending !== undefined) {
    const page = await pending;
    const next = nextStep(step, page, query.to);
    // The next page is read while the consumer takes this one.
    pending = next === undefined ? undefined : read(next);
    pending?.catch(() => undefined);
    if (page.length > 0) yield page;
    step = next;
  }
}

/**
 * The pages of a store's long read (TimeSeriesStore.streamReadings): each pulled through `readPage`
 * like a page query, so it takes a heavy-work slot and the request's deadline; the read ends when
 * the consumer stops taking pages.
 */
async function* streamedPages(stream: ReadingsStream, readPage: ReadPage): AsyncGenerator<Reading[]> {
  try {
    for (let page = await readPage((signal) => stream.next(signal)); page.length > 0; ) {
      // The next page is read while the consumer takes this one.
      const pending = readPage((signal) => stream.next(signal));
      pending.catch(() => undefined);
      yield page;
      page = await pending;
    }
  } finally {
    stream.close();
  }
}

/** One store query of an export: where it starts, its window's end, how many it asks for. */
interface PageStep {
  readonly cursor: ReadingsCursor;
  readonly to: number;
  readonly asked: number;
  readonly remaining: number;
  readonly windowMs: number;
}

function firstStep(cursor: ReadingsCursor, limit: number, end: number): PageStep | undefined {
  if (limit <= 0 || cursor.from >= end) return undefined;
  return stepAt(cursor, limit, FIRST_WINDOW_MS, end);
}

function stepAt(cursor: ReadingsCursor, remaining: number, windowMs: number, end: number): PageStep {
  return {
    cursor,
    to: Math.min(end, cursor.from + windowMs),
    asked: Math.min(EXPORT_PAGE, remaining),
    remaining,
    windowMs,
  };
}

function nextStep(step: PageStep, page: readonly Reading[], end: number): PageStep | undefined {
  const remaining = step.remaining - page.length;
  if (remaining <= 0) return undefined;
  if (page.length < step.asked) {
    // The window is exhausted: go on after it, with a wider one.
    if (step.to >= end) return undefined;
    return stepAt({ from: step.to, offset: 0 }, remaining, step.windowMs * 4, end);
  }
  const span = (page.at(-1)?.ts ?? step.cursor.from) - step.cursor.from;
  return stepAt(nextCursor(step.cursor, page), remaining, Math.max(1000, span * 2), end);
}

/**
 * exportPages with its first page already read: a failure there (the store away, the deadline) is
 * then an ordinary error answer with its status and body, not a streamed response that breaks
 * before its first byte (which HTTP can only report as a bare 500).
 */
export async function openExportPages(request: ExportRequest): Promise<AsyncGenerator<Reading[]>> {
  const pages = exportPages(request);
  const first = await pages.next();
  const opened = (async function* () {
    if (first.done === true) return;
    yield first.value;
    yield* pages;
  })();
  // Returning the pages must close the store read whether or not they were ever pulled: return()
  // on a generator that has not started runs none of its code (a client gone before the first
  // read), and a consumer that stops at the first page returns this generator, not `pages`.
  const returnOpened = opened.return.bind(opened);
  opened.return = async (value) => {
    try {
      return await returnOpened(value);
    } finally {
      await pages.return(undefined);
    }
  };
  return opened;
}

/** Closes `pages` (their store read) once `body` is done with them: ended, failed or destroyed. */
export function closePagesWhenDone(
  body: Readable,
  pages: AsyncGenerator<unknown>,
  done: (error?: Error | null) => void = () => {},
): void {
  finished(body, (error) => {
    void pages
      .return(undefined)
      .catch(() => undefined)
      .finally(() => done(error));
  });
}

/**
 * An export's CSV or NDJSON response body: a byte stream holding about one page ahead of the
 * socket (not 16 chunks, as in object mode), which closes the pages (their store read) once it is
 * done, ended, failed or destroyed by a client gone.
 */
export function exportBody(pages: AsyncGenerator<Reading[]>, format: StreamFormat): Readable {
  const body = Readable.from(exportLines(pages, format), { objectMode: false, highWaterMark: 64 * 1024 });
  closePagesWhenDone(body, pages);
  return body;
}

/**
 * Pages formatted as lines of ndjson or csv (with its header line first), in Buffers of
 * LINES_PER_BUFFER lines: the text leaves the JS heap at once, so neither the page nor its
 * thousands of line strings outlive the next garbage collection of young objects while the socket drains.
 */
export async function* exportLines(
  pages: AsyncIterable<readonly Reading[]>,
  format: StreamFormat,
): AsyncGenerator<Buffer> {
  if (format === 'csv') yield Buffer.from(CSV_HEADER);
  for await (const page of pages) yield* formatPage(page, format);
}

/** Lines per Buffer of a page: its text stays well under V8's large-object size (128 KiB). */
const LINES_PER_BUFFER = 1000;

/**
 * A page's lines as Buffers of LINES_PER_BUFFER lines. One string per page (500 KiB for 10,000
 * lines) went straight to V8's old generation as a large object, and millions of exported
 * readings filled it with dead pages between full collections; strings of ~50 KiB die young.
 */
function* formatPage(page: readonly Reading[], format: StreamFormat): Generator<Buffer> {
  // Readings come in time order, many at each instant: each time is formatted once.
  let chunk = '';
  let lines = 0;
  let lastTs = Number.NaN;
  let ts = '';
  for (const reading of page) {
    if (reading.ts !== lastTs) {
      lastTs = reading.ts;
      ts = toUtcRfc3339(reading.ts);
    }
    chunk += formatLine(reading, format, ts);
    lines += 1;
    if (lines === LINES_PER_BUFFER) {
      yield Buffer.from(chunk);
      chunk = '';
      lines = 0;
    }
  }
  if (chunk.length > 0) yield Buffer.from(chunk);
}
