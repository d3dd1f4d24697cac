import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_PARQUET_EXPORTS, streamParquetExport } from '../../api/readings-parquet.ts';
import type { Reading } from '../../domain/reading.ts';

/**
 * DuckDB's Parquet writer closing its end of the rows pipe while we still write into it, on demand:
 * a row its CSV reader cannot convert fails the COPY mid-export (as an interrupt, or a failed write
 * to a client that left before this process saw it leave, would). Our next write then fails with
 * EPIPE. That must neither end the process (an unheard stream error is an uncaught exception) nor
 * leave the feed waiting forever on the broken pipe with an export slot held.
 */
const PAGE_ROWS = 10_000;
/** ~40 MB of rows when fed whole: hundreds of times what a pipe holds. */
const PAGES = 100;

function page(index: number, broken: boolean): Reading[] {
  return Array.from({ length: PAGE_ROWS }, (_, i) => ({
    // Written as "Infinity" into the ts column (BIGINT): DuckDB's reader fails on it.
    ts:
      broken && i === PAGE_ROWS / 2
        ? Number.POSITIVE_INFINITY
        : Date.UTC(2026, 10, 1) + (index * PAGE_ROWS + i) * 1000,
    city: 'nice',
    deviceId: `nice-pipe-${i % 10}`,
    metric: 'pm25',
    value: i / 10,
  }));
}

/** Pages of which the second holds a row DuckDB refuses; counts what the export read. */
function failingPages() {
  const state = { read: 0, finished: false };
  async function* pages(): AsyncGenerator<readonly Reading[]> {
    try {
      for (let i = 0; i < PAGES; i += 1) {
        state.read += 1;
        yield page(i, i === 1);
      }
    } finally {
      state.finished = true;
    }
  }
  return { state, open: async () => pages() };
}

/** Reads the body to its end or error; resolves with the error, if any. */
function drain(body: Socket): Promise<{ error: Error | undefined }> {
  return new Promise((resolve) => {
    let error: Error | undefined;
    body.resume();
    body.on('error', (e) => {
      error = e;
    });
    body.once('close', () => resolve({ error }));
  });
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

describe('a Parquet export whose DuckDB writer stops reading rows mid-export', () => {
  it('fails the export, cuts the response short and stops reading pages, without an uncaught EPIPE', async () => {
    const { state, open } = failingPages();
    const started = await streamParquetExport(open, 'nice');
    const received = drain(started.body);
    await expect(started.done).rejects.toThrow(/Infinity|convert/i);
    const { error } = await received;
    // Cut short with an error, never ended as if complete: a client sees a failed download.
    expect(error).toBeDefined();
    expect(state.finished).toBe(true);
    expect(state.read).toBeLessThan(PAGES);
    // Let any late stream error surface before looking.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(uncaught).toEqual([]);
  });

  it(`gives back its slot: more than ${MAX_PARQUET_EXPORTS} such exports in a row each get written`, async () => {
    for (let i = 0; i <= MAX_PARQUET_EXPORTS; i += 1) {
      const { state, open } = failingPages();
      const started = await streamParquetExport(open, 'nice');
      const received = drain(started.body);
      await expect(started.done).rejects.toThrow(/Infinity|convert/i);
      await received;
      expect(state.finished).toBe(true);
    }
    expect(uncaught).toEqual([]);
  });
});
