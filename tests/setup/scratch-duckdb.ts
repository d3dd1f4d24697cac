import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';

/**
 * Runs one statement on a throwaway in-memory DuckDB, as tests use it to write Parquet files and
 * read exported ones back; the rows it gives, as objects.
 */
export async function scratchDuckDb(
  sql: string,
  values: DuckDBValue[] = [],
): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql, values)).getRowObjectsJS();
  } finally {
    connection.disconnectSync();
    instance.closeSync();
  }
}
