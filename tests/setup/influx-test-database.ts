/**
 * Empties a test file's database on the shared InfluxDB server instead of dropping it. DROP DATABASE
 * closes the database's shards, and InfluxDB 1.6 fails a DELETE running at that moment in any other
 * database with "engine is closed" (tests/integration/influx-dropped-beside.test.ts): other files run
 * DELETEs (index series, raw retention) on the same server at any time. DROP SERIES frees the data
 * and its index and closes no shard; the server's directory is removed when the run ends.
 */
export async function emptyTestDatabase(influxUrl: string, database: string): Promise<void> {
  const params = new URLSearchParams({ db: database, q: 'DROP SERIES FROM /.*/' });
  await fetch(`${influxUrl}/query?${params}`, { method: 'POST' });
}
