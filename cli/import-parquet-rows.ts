import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { CliError } from './cli-io.ts';
import type { ImportBatch, ImportRow, ImportSource } from './import-readings.ts';
import { IMPORT_COLUMNS, type ImportColumn } from './import-rows.ts';

/** The fields arrive in IMPORT_COLUMNS order. */
const IN_ORDER = Object.fromEntries(IMPORT_COLUMNS.map((c, i) => [c, i])) as Record<ImportColumn, number>;

/**
 * The rows of an import Parquet file, read by an in-memory DuckDB (the embedded store's engine)
 * chunk by chunk, so memory stays flat whatever the file's size. Every column is handed on as text
 * and checked by the same rules as a CSV row: `ts` may be a Parquet timestamp (taken as its epoch
 * milliseconds), an integer of epoch milliseconds, or an RFC 3339 string with offset.
 */
export function parquetImportSource(file: string): ImportSource {
  return { label: file, unit: 'row', batches: parquetBatches(file) };
}

async function* parquetBatches(file: string): AsyncGenerator<ImportBatch> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '256MB' });
  const connection = await instance.connect();
  try {
    const select = await selectStatement(connection, file);
    const result = await connection.stream(select, [file]);
    let at = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      const columns = chunk.getColumns() as (string | null)[][];
      const rows: ImportRow[] = new Array(chunk.rowCount);
      for (let i = 0; i < chunk.rowCount; i++) {
        at += 1;
        rows[i] = { at, fields: columns.map((column) => column[i] ?? '') };
      }
      yield { columns: IN_ORDER, rows };
    }
  } finally {
    connection.disconnectSync();
    instance.closeSync();
  }
}

/** SELECT of the five columns as text, found by name whatever their case; throws naming what is missing. */
async function selectStatement(connection: DuckDBConnection, file: string): Promise<string> {
  let described: Record<string, unknown>[];
  try {
    described = (
      await connection.runAndReadAll('DESCRIBE SELECT * FROM read_parquet(?)', [file])
    ).getRowObjectsJS();
  } catch (error) {
    throw new CliError(`${file}: not a readable Parquet file (${firstLine(error)})`);
  }
  const byName = new Map(described.map((c) => [String(c.column_name).toLowerCase(), c]));
  const missing = IMPORT_COLUMNS.filter((column) => !byName.has(column));
  if (missing.length > 0) {
    throw new CliError(
      `${file}: the Parquet file must have the columns ${IMPORT_COLUMNS.join(',')}; missing: ${missing.join(', ')}`,
    );
  }
  const expressions = IMPORT_COLUMNS.map((column) => {
    const found = byName.get(column) as Record<string, unknown>;
    const name = `"${String(found.column_name).replaceAll('"', '""')}"`;
    const isTime = column === 'ts' && /^(TIMESTAMP|DATE)/.test(String(found.column_type));
    return isTime ? `CAST(epoch_ms(${name}) AS VARCHAR)` : `CAST(${name} AS VARCHAR)`;
  });
  return `SELECT ${expressions.join(', ')} FROM read_parquet(?)`;
}

function firstLine(error: unknown): string {
  return String((error as Error).message ?? error).split('\n')[0] ?? '';
}
