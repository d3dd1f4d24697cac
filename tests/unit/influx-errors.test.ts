import { describe, expect, it } from 'vitest';
import { isRetryable } from '../../domain/errors.ts';
import {
  type FailureContext,
  InfluxStatementError,
  storeFailure,
} from '../../store/influxdb/influx-errors.ts';

const ctx: FailureContext = {
  code: 'STORE_WRITE_FAILED',
  action: 'writing index series',
  target: 'InfluxDB http://127.0.0.1:8086 (v1 API, database "ucap")',
  credentialsHint: 'check INFLUX_USERNAME and INFLUX_PASSWORD',
  destinationHint: 'create the database or fix INFLUX_DB',
  timeoutMs: 10_000,
};

describe('statements InfluxDB 1.x refuses', () => {
  it.each([['engine is closed'], ['shard 12: engine is closed'], ['shard is disabled']])(
    '"%s" (a shard opening or closing) may pass when tried again',
    (message) => {
      const error = storeFailure(new InfluxStatementError(message), ctx);
      expect(error.code).toBe('STORE_WRITE_FAILED');
      expect(isRetryable(error)).toBe(true);
      expect(error.message).toContain(`refused the query while writing index series: ${message}`);
    },
  );

  it.each([
    ['error parsing query: found WHERE, expected FROM at line 1, char 8'],
    ['database not found: ucap'],
    ['field type conflict'],
  ])('"%s" will be refused again, and is not retryable', (message) => {
    expect(isRetryable(storeFailure(new InfluxStatementError(message), ctx))).toBe(false);
  });
});
