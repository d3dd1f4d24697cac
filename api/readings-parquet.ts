import { execFile } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { UcapError } from '../domain/errors.ts';
import type { Reading } from '../domain/reading.ts';

/** Rows per Parquet row group: readers fetch and decode one group at a time; the writer holds one. */
const ROW_GROUP_ROWS = 100_000;
/** The export's own DuckDB: one thread, a small buffer pool (it holds a row group, not the file). */
const MEMORY_LIMIT = '64MB';
/** Bytes DuckDB's CSV reader takes from the pipe at a time (its default, 32 MB, is a whole buffer). */
const READ_BUFFER_BYTES = 1 << 20;

/**
 * Parquet exports written at once. DuckDB's writer runs in one of libuv's thread-pool threads (4
 * by default, shared with every store query and file operation) and stays there while it waits on
 * a pipe, e.g. for a slow client: a few exports must never take them all.
 */
export const MAX_PARQUET_EXPORTS = 2;
/** A refused export is told to come back after this: long enough for a small export to end. */
const BUSY_RETRY_AFTER_MS = 5_000;
let running = 0;

/** A Parquet export being written: `body` streams the file's bytes as DuckDB writes them. */
export interface ParquetExport {
  readonly body: Socket;
  /** Settles once the file is complete (or failed) and every temporary file is gone. */
  readonly done: Promise<void>;
}

/**
 * Streams the pages of an export as a Parquet file with the CSV export's columns: ts (timestamp
 * with time zone, UTC, millisecond precision), city, device, metric, value; zstd-compressed.
 *
 * DuckDB's Parquet writer (the engine of the embedded store, whatever store the readings come
 * from) writes the file front to back: magic, then each row group as soon as it is full, the
 * footer last. So it writes into a named pipe this process reads from, and each row group reaches
 * the client while the next is read from the store. The readings go in through a second pipe, as
 * compact CSV (ts in epoch ms) that DuckDB's CSV reader parses as it arrives. Both pipes are read
 * and written without blocking (epoll, not Node's file thread pool); backpressure runs through
 * both: a slow client stops DuckDB's writer, which stops its reader, which stops the store reads.
 * Memory stays one row group and a few pipe buffers whatever the size of the export.
 *
 * The pages `openPages` gives must hold readings of `city` only. Destroy `body` to abandon the export: the pages stop,
 * DuckDB's query fails on the closed pipe and the temporary folder is removed.
 */
export async function streamParquetExport(
  /** Opens the pages (reading the first): called once the export has its place. */
  openPages: () => Promise<AsyncGenerator<readonly Reading[]>>,
  city: string,
): Promise<ParquetExport> {
  if (running >= MAX_PARQUET_EXPORTS) {
    throw new UcapError(
      'API_BUSY',
      `${MAX_PARQUET_EXPORTS} Parquet exports are being written, the most this server writes at once; retry shortly, or export as csv`,
      { retryable: true, retryAfterMs: BUSY_RETRY_AFTER_MS },
    );
  }
  running += 1;
  let release = () => {
    running -= 1;
    release = () => {};
  };
  try {
    const pages = await openPages();
    const started = await startParquetExport(pages, city).catch(async (error: unknown) => {
      await pages.return(undefined);
      throw error;
    });
    started.done.then(release, release);
    return started;
  } catch (error) {
    release();
    throw error;
  }
}

async function startParquetExport(
  pages: AsyncIterable<readonly Reading[]>,
  city: string,
): Promise<ParquetExport> {
  const dir = await mkdtemp(join(tmpdir(), 'ucap-export-'));
  const rowsPipe = join(dir, 'rows.csv');
  const filePipe = join(dir, 'readings.parquet');
  const cleanups: (() => unknown)[] = [() => rm(dir, { recursive: true, force: true })];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // Best effort: the folder is removed last, whatever failed before.
      }
    }
  };
  let opened: Socket | undefined;
  try {
    await makeFifo(rowsPipe);
    await makeFifo(filePipe);
    // Our reader of the file pipe exists before DuckDB opens it (opening a FIFO to write waits for
    // a reader). A second, idle writer of ours keeps the pipe's writer count above zero until the
    // COPY has ended: the reader sees end-of-file only then, whatever DuckDB opens and closes.
    const body = pipeSocket(filePipe, constants.O_RDONLY, { readable: true });
    // Not destroyed when the COPY ends: the response still reads what is left in the pipe.
    opened = body;
    const keeper = openSync(filePipe, constants.O_WRONLY | constants.O_NONBLOCK);
    cleanups.push(() => closeSync(keeper));
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: MEMORY_LIMIT,
      threads: '1',
      temp_directory: join(dir, 'spill'),
    });
    cleanups.push(() => instance.closeSync());
    const connection = await instance.connect();
    cleanups.push(() => connection.disconnectSync());
    let settled = false;
    const copy = connection
      .run(
        `COPY (SELECT epoch_ms(ts)::TIMESTAMPTZ AS ts, ${sqlText(city)} AS city, device, metric, value
         FROM read_csv(${sqlText(rowsPipe)}, header = false, auto_detect = false, delim = ',', quote = '"',
           escape = '"', buffer_size = ${READ_BUFFER_BYTES},
           columns = {'ts': 'BIGINT', 'device': 'VARCHAR', 'metric': 'VARCHAR', 'value': 'DOUBLE'}))
       TO ${sqlText(filePipe)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`,
      )
      .finally(() => {
        settled = true;
      });
    // The client went away (or the response failed): stop reading pages, stop DuckDB.
    let abandoned = false;
    let rows: Socket | undefined;
    body.once('close', () => {
      if (body.readableEnded || settled) return;
      abandoned = true;
      connection.interrupt();
      // Wherever DuckDB is, it gets to the end (the interrupt may come before its query starts):
      // reading rows (they end now), opening the rows pipe (it waits for a writer: the feed's
      // opens and closes at once), opening the file pipe (it waits for a reader: one that discards).
      try {
        const discard = pipeSocket(filePipe, constants.O_RDONLY, { readable: true });
        discard.on('error', () => undefined).resume();
        cleanups.push(() => discard.destroy());
      } catch {
        // The folder is gone: DuckDB has finished.
      }
      rows?.destroy();
    });
    // A failure after the first bytes cannot become an error status. The response is cut short
    // BEFORE DuckDB sees the rows end, so it never writes a footer: a file without one is refused
    // by every reader, rather than read as a complete export with readings missing.
    const fail = (error: unknown) => {
      if (!body.destroyed) body.destroy(error instanceof Error ? error : new Error(String(error)));
    };
    const feed = (async () => {
      // The rows pipe is opened to write once DuckDB has it open to read: data written before
      // would be lost when the last end closes, and DuckDB would then wait for a writer forever.
      rows = await writerOnceRead(rowsPipe, () => settled);
      if (rows === undefined) return;
      cleanups.push(() => rows?.destroy());
      // DuckDB closing its end first fails our next write with EPIPE: interrupted, or failed, e.g.
      // writing to the pipe of a client that left before this process saw it leave. Its COPY's
      // outcome says why; the feed only stops. Unheard, the error would end the process, and the
      // feed would wait forever for the broken pipe to drain, holding an export slot.
      let broken = false;
      rows.on('error', () => {
        broken = true;
      });
      if (abandoned) rows.destroy();
      else await feedRows(pages, rows, () => abandoned || broken);
    })().catch((error: unknown) => {
      // A page read cancelled because the client left is no failure of the export.
      if (abandoned) return;
      fail(error);
      throw error;
    });
    const done = Promise.allSettled([copy, feed]).then(async ([copied, fed]) => {
      // Cut short before the clean-up closes our idle writer of the file pipe: after that, the
      // response would see end-of-file and end as if the file were complete.
      if (copied.status === 'rejected' && !abandoned) fail(copied.reason);
      await cleanUp();
      if (fed.status === 'rejected') throw fed.reason;
      if (copied.status === 'rejected' && !abandoned) throw copied.reason;
    });
    return { body, done };
  } catch (error) {
    opened?.destroy();
    await cleanUp();
    throw error;
  }
}

/** Writes the pages into the rows pipe as compact CSV, waiting whenever the pipe is full. */
async function feedRows(
  pages: AsyncIterable<readonly Reading[]>,
  rows: Socket,
  abandoned: () => boolean,
): Promise<void> {
  for await (const page of pages) {
    if (abandoned()) return;
    if (!rows.write(csvRows(page))) await drained(rows);
  }
  if (abandoned()) return;
  // Every byte is in the pipe once the last write's callback ran; closing our end is DuckDB's EOF.
  await new Promise<void>((resolve, reject) => rows.write('', (e) => (e ? reject(e) : resolve())));
  rows.destroy();
}

function csvRows(page: readonly Reading[]): string {
  let text = '';
  for (const r of page) text += `${Math.round(r.ts)},${csvField(r.deviceId)},${r.metric},${r.value}\n`;
  return text;
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The write end of a FIFO, opened once a reader has it open (until then opening fails with ENXIO:
 * retried every few ms), or undefined once `stop()` says so.
 */
async function writerOnceRead(path: string, stop: () => boolean): Promise<Socket | undefined> {
  while (!stop()) {
    try {
      return pipeSocket(path, constants.O_WRONLY, { writable: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  return undefined;
}

function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
}

const execFileAsync = promisify(execFile);

/** Node has no mkfifo: coreutils' does it (no shell, the path is an argument). */
async function makeFifo(path: string): Promise<void> {
  await execFileAsync('mkfifo', ['-m', '600', path]);
}

/**
 * One end of a named pipe as a non-blocking stream: libuv polls it like a socket, so a full or
 * empty pipe never holds one of the file thread pool's few threads.
 */
function pipeSocket(
  path: string,
  flags: number,
  mode: { readonly readable?: boolean; readonly writable?: boolean },
): Socket {
  // A plain descriptor, not a FileHandle: the socket owns it and closes it once.
  const fd = openSync(path, flags | constants.O_NONBLOCK);
  try {
    return new Socket({ fd, readable: mode.readable ?? false, writable: mode.writable ?? false });
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function sqlText(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
