import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSeries } from '../../store/duckdb/series-result.ts';

/**
 * DuckDB's list() keeps the order its threads aggregated rows in, not time order: the points of a
 * series are put in time order when read. Rows fed out of order on one thread make that happen on
 * demand, for a device with a few out-of-order runs and one in reverse.
 */
let instance: DuckDBInstance;
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:', { threads: '1' });
});
afterAll(() => instance.closeSync());

const ROWS = `SELECT * FROM (VALUES
  ('dev-a', 3000, 3.0, 30), ('dev-a', 1000, 1.0, 10), ('dev-a', 2000, 2.0, 20), ('dev-a', 5000, 5.0, 50),
  ('dev-a', 4000, 4.0, 40), ('dev-b', 9000, 9.0, 90), ('dev-b', 8000, 8.0, 80), ('dev-b', 7000, 7.0, 70)
) AS rows("deviceId", ts, value, n)`;

describe('DuckDB series points', () => {
  it('come in time order, whatever order DuckDB aggregated them in', async () => {
    const connection = await instance.connect();
    try {
      const series = await readSeries(connection, ROWS, [], true);
      expect(series).toEqual([
        {
          deviceId: 'dev-a',
          points: [1, 2, 3, 4, 5].map((k) => ({ ts: k * 1000, value: k, count: k * 10 })),
        },
        { deviceId: 'dev-b', points: [7, 8, 9].map((k) => ({ ts: k * 1000, value: k, count: k * 10 })) },
      ]);
    } finally {
      connection.disconnectSync();
    }
  });
});
