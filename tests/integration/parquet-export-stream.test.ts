import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openExportPages, readWithoutDeadline } from '../../api/readings-export.ts';
import { MAX_PARQUET_EXPORTS, ROW_GROUP_ROWS, streamParquetExport } from '../../api/readings-parquet.ts';
import type { Reading } from '../../domain/reading.ts';
import type { ReadingsStream } from '../../store/time-series-store.ts';
import { scratchDuckDb } from '../setup/scratch-duckdb.ts';

/**
 * The Parquet writer on its own, fed pages as the store gives them: what reaches the reader when
 * the store read fails mid-export, when the reader stops reading, and when it leaves; read back
 * with DuckDB's read_parquet.
 */
const PAGE_ROWS = 10_000;
const PAGES = 30;
const dir = await mkdtemp(join(tmpdir(), 'ucap-parquet-stream-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

function page(index: number): Reading[] {
  return Array.from({ length: PAGE_ROWS }, (_, i) => ({
    ts: Date.UTC(2026, 10, 1) + (index * PAGE_ROWS + i) * 1000,
    city: 'nice',
    deviceId: `nice-stream-${i % 10}`,
    metric: 'pm25',
    value: (index * PAGE_ROWS + i) / 10,
  }));
}

/**
 * PAGES pages from a store read, failing at `failAt` when given, opened as the readings route opens
 * them (the first page read before the export starts); counts the pages read and whether the
 * store read was closed.
 */
function countedPages(failAt?: number) {
  const state = { read: 0, finished: false };
  const stream: ReadingsStream = {
    async next() {
      if (state.read === failAt) throw new Error('store read failed: connection reset');
      if (state.read === PAGES) return [];
      state.read += 1;
      return page(state.read - 1);
    },
    close() {
      state.finished = true;
    },
  };
  const open = () =>
    openExportPages({
      store: { readings: async () => [], streamReadings: () => stream },
      query: { city: 'nice', to: Number.POSITIVE_INFINITY },
      start: { from: 0, offset: 0 },
      limit: Number.POSITIVE_INFINITY,
      readPage: readWithoutDeadline,
    });
  return { state, open };
}

/** Reads the body to its end or error. */
function drain(body: Readable): Promise<{ bytes: Buffer; error: Error | undefined }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let error: Error | undefined;
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.on('error', (e) => {
      error = e;
    });
    body.once('close', () => resolve({ bytes: Buffer.concat(chunks), error }));
  });
}

async function readBack(bytes: Buffer): Promise<{ rows: number; groups: number; lastValue: number }> {
  const file = join(dir, `export-${process.hrtime.bigint()}.parquet`);
  await writeFile(file, bytes);
  const [summary] = await scratchDuckDb(
    `SELECT count(*)::INTEGER AS rows, last(value ORDER BY ts) AS "lastValue",
       (SELECT count(DISTINCT row_group_id)::INTEGER FROM parquet_metadata(?)) AS groups
     FROM read_parquet(?)`,
    [file, file],
  );
  return summary as { rows: number; groups: number; lastValue: number };
}

const uncaught: unknown[] = [];
const recordUncaught = (error: unknown) => uncaught.push(error);
beforeEach(() => {
  uncaught.length = 0;
  process.on('uncaughtException', recordUncaught);
});
afterEach(() => {
  process.off('uncaughtException', recordUncaught);
});

describe('a Parquet export streamed row group by row group', () => {
  it('writes every reading in row groups of ROW_GROUP_ROWS that DuckDB reads back', async () => {
    const { state, open } = countedPages();
    const started = await streamParquetExport(open, 'nice');
    const { bytes, error } = await drain(started.body);
    await started.done;
    expect(error).toBeUndefined();
    expect(state.finished).toBe(true);
    expect(await readBack(bytes)).toEqual({
      rows: PAGES * PAGE_ROWS,
      groups: Math.ceil((PAGES * PAGE_ROWS) / ROW_GROUP_ROWS),
      lastValue: (PAGES * PAGE_ROWS - 1) / 10,
    });
  });

  it('reads no further from the store than the reader takes: a stalled reader holds a row group, not the export', async () => {
    const { state, open } = countedPages();
    const started = await streamParquetExport(open, 'nice');
    const received = drain(started.body);
    // The reader takes the first bytes, then stops reading: the writer may fill one group ahead, then must wait.
    started.body.once('data', () => started.body.pause());
    await new Promise((resolve) => setTimeout(resolve, 300));
    const pagesPerGroup = ROW_GROUP_ROWS / PAGE_ROWS;
    expect(state.read).toBeGreaterThan(0);
    expect(state.read).toBeLessThanOrEqual(Math.ceil(2 * pagesPerGroup) + 2);
    started.body.resume();
    const { bytes } = await received;
    await started.done;
    expect((await readBack(bytes)).rows).toBe(PAGES * PAGE_ROWS);
  });

  it('stops reading pages and settles when its reader leaves mid-export', async () => {
    const { state, open } = countedPages();
    const started = await streamParquetExport(open, 'nice');
    started.body.once('data', () => started.body.destroy());
    await started.done;
    expect(state.finished).toBe(true);
    expect(state.read).toBeLessThan(PAGES);
  });

  it('fails the export and cuts the file short when the store read fails mid-export, without an uncaught error', async () => {
    const { state, open } = countedPages(PAGES / 2);
    const started = await streamParquetExport(open, 'nice');
    const received = drain(started.body);
    await expect(started.done).rejects.toThrow(/connection reset/);
    const { error } = await received;
    // Cut short with an error, never ended as if complete: a client sees a failed download.
    expect(error).toBeDefined();
    expect(state.finished).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(uncaught).toEqual([]);
  });

  it(`gives back its slot: more than ${MAX_PARQUET_EXPORTS} failing or abandoned exports in a row each get written`, async () => {
    for (let i = 0; i <= 2 * MAX_PARQUET_EXPORTS; i += 1) {
      const { state, open } = countedPages(i % 2 === 0 ? 1 : undefined);
      const started = await streamParquetExport(open, 'nice');
      if (i % 2 === 0) {
        await drain(started.body);
        await expect(started.done).rejects.toThrow(/connection reset/);
      } else {
        started.body.destroy();
        await started.done;
      }
      expect(state.finished).toBe(true);
    }
    expect(uncaught).toEqual([]);
  });
});
