import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOUBLE, type DuckDBAppender, DuckDBDataChunk, DuckDBInstance, VARCHAR } from '@duckdb/node-api';
import type { Reading } from '../domain/reading.ts';

/** A finished Parquet export on disk; `remove()` deletes it (call it once the file is sent). */
export interface ParquetExportFile {
  readonly path: string;
  remove(): Promise<void>;
}

/** Rows per Parquet row group: readers fetch and decode one group at a time. */
const ROW_GROUP_ROWS = 100_000;
/** DuckDB's vector size: rows per appended data chunk. */
const CHUNK_ROWS = 2048;
/**
 * The export's own DuckDB holds at most this much in memory and spills the rest to its temp
 * folder, so a 10M-row export costs disk, not the API's memory.
 */
const MEMORY_LIMIT = '64MB';

/**
 * Writes the pages of an export to a Parquet file with the CSV export's columns: ts (timestamp
 * with time zone, UTC, millisecond precision), city, device, metric, value. Parquet's metadata sits
 * at the end of the file, so the file is completed before it is sent: the rows go into a
 * throw-away DuckDB file (the engine of the embedded store, whatever store the readings come from),
 * then DuckDB's COPY writes them out row group by row group, zstd-compressed.
 */
export async function writeParquetExport(
  pages: AsyncIterable<readonly Reading[]>,
): Promise<ParquetExportFile> {
  const dir = await mkdtemp(join(tmpdir(), 'ucap-export-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const instance = await DuckDBInstance.create(join(dir, 'export.duckdb'), {
      memory_limit: MEMORY_LIMIT,
      threads: '1',
      temp_directory: join(dir, 'spill'),
    });
    try {
      const connection = await instance.connect();
      try {
        await connection.run(
          "SET TimeZone = 'UTC'; CREATE TABLE export_rows (ts DOUBLE, city VARCHAR, device VARCHAR, metric VARCHAR, value DOUBLE)",
        );
        const appender = await connection.createAppender('export_rows');
        try {
          for await (const page of pages) appendPage(appender, page);
          appender.flushSync();
        } finally {
          appender.closeSync();
        }
        const path = join(dir, 'readings.parquet');
        await connection.run(
          `COPY (SELECT epoch_ms(CAST(ts AS BIGINT))::TIMESTAMPTZ AS ts, city, device, metric, value FROM export_rows)
           TO '${path.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`,
        );
        return { path, remove };
      } finally {
        connection.disconnectSync();
      }
    } finally {
      instance.closeSync();
    }
  } catch (error) {
    await remove();
    throw error;
  }
}

function appendPage(appender: DuckDBAppender, page: readonly Reading[]): void {
  for (let start = 0; start < page.length; start += CHUNK_ROWS) {
    const rows = page.slice(start, start + CHUNK_ROWS);
    const chunk = DuckDBDataChunk.create([DOUBLE, VARCHAR, VARCHAR, VARCHAR, DOUBLE], rows.length);
    chunk.setColumns([
      rows.map((r) => Math.round(r.ts)),
      rows.map((r) => r.city),
      rows.map((r) => r.deviceId),
      rows.map((r) => r.metric),
      rows.map((r) => r.value),
    ]);
    appender.appendDataChunk(chunk);
  }
}
