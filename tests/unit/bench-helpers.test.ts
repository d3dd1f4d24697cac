import { describe, expect, it } from 'vitest';
import { DEFAULT_BENCHES, parseBenchArgs } from '../../bench/bench-args.ts';
import type { BenchFigures, WriteFigure } from '../../bench/bench-figures.ts';
import { formatCount, formatMs, renderTable } from '../../bench/bench-format.ts';
import { batchesFor } from '../../bench/bench-profile.ts';
import { percentile, perSecond, summarizeLatencies } from '../../bench/bench-stats.ts';
import { summaryTable } from '../../bench/bench-summary.ts';
import { DeliveryTracker } from '../../bench/delivery-tracker.ts';
import { deviceIdsFor, gridReadings, type ReadingGrid } from '../../bench/synthetic-readings.ts';
import { parseWrkOutput } from '../../bench/wrk-client.ts';
import { isUcapError } from '../../domain/errors.ts';
import { isPhysicallyPossible, METRIC_IDS } from '../../domain/metrics.ts';

function configError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(isUcapError(error, 'CONFIG_INVALID')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected a CONFIG_INVALID error');
}

describe('bench command line', () => {
  it('runs every benchmark at full size by default', () => {
    expect(parseBenchArgs([])).toEqual({ quick: false, help: false, benches: DEFAULT_BENCHES });
    expect(parseBenchArgs(['api']).benches).toEqual(['api']);
  });

  it('takes --quick and --only as a comma list or repeated, keeping run order', () => {
    expect(parseBenchArgs(['--quick', '--only', 'e2e,decode']).benches).toEqual(['decode', 'e2e']);
    expect(parseBenchArgs(['--only', 'queries', '--only', 'writes'])).toEqual({
      quick: false,
      help: false,
      benches: ['writes', 'queries'],
    });
  });

  it('refuses unknown benchmarks and options with the list and the usage line', () => {
    const unknown = configError(() => parseBenchArgs(['--only', 'decode,latency']));
    expect(unknown).toContain('unknown benchmark "latency"');
    expect(unknown).toContain('decode, writes, queries, e2e');
    expect(configError(() => parseBenchArgs(['--fast']))).toContain('usage: npm run bench');
  });
});

describe('bench statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarises unsorted latencies and turns counts into rates', () => {
    expect(summarizeLatencies([30, 10, 20, 40])).toEqual({
      count: 4,
      p50: 20,
      p95: 40,
      p99: 40,
      max: 40,
      total: 100,
    });
    expect(perSecond(5000, 250)).toBe(20_000);
    expect(perSecond(10, 0)).toBeNaN();
  });

  it('sizes write runs by readings, with a floor on the number of batches', () => {
    const writes = { batchSizes: [1000, 20_000], readingsPerSize: 120_000, minBatches: 6 };
    expect(batchesFor(writes, 1000)).toBe(120);
    expect(batchesFor(writes, 20_000)).toBe(6);
    expect(batchesFor(writes, 50_000)).toBe(6);
  });
});

describe('bench tables', () => {
  it('aligns text left and figures right under their headers', () => {
    const text = renderTable({
      title: 'T',
      columns: ['store', 'readings/s'],
      rows: [
        ['DuckDB', formatCount(23_179.4)],
        ['InfluxDB 1.6', formatCount(57_241)],
      ],
      notes: ['note'],
    });
    expect(text.split('\n')).toEqual([
      '== T',
      'store         readings/s',
      '------------  ----------',
      'DuckDB            23,179',
      'InfluxDB 1.6      57,241',
      '   note',
    ]);
  });

  it('formats durations with precision that suits their size', () => {
    expect([0.0421, 4.213, 42.13, 421.3].map(formatMs)).toEqual(['0.042', '4.21', '42.1', '421']);
    expect(formatMs(Number.NaN)).toBe('–');
  });
});

describe('bench summary', () => {
  const write = (readingsPerSec: number): WriteFigure => ({
    readingsPerSec,
    batchLatency: summarizeLatencies([1]),
  });

  it('compares stores per batch size and end to end against raw writes at the nearest batch size', () => {
    const figures: BenchFigures = {
      decode: { messagesPerSec: 50_000, readingsPerSec: 500_000 },
      writes: {
        duckdb: new Map([
          [1000, write(10_000)],
          [5000, write(20_000)],
        ]),
        influxdb: new Map([
          [1000, write(30_000)],
          [5000, write(50_000)],
        ]),
      },
      e2e: {
        messagesPerSec: 1000,
        readingsPerSec: 10_000,
        latency: summarizeLatencies([5]),
        ingestBatchSize: 4000,
      },
    };
    const rows = summaryTable(figures)?.rows ?? [];
    expect(rows.map((row) => [row[0], row[3]])).toEqual([
      ['InfluxDB / DuckDB write readings/s, batch 1,000', '×3.00'],
      ['InfluxDB / DuckDB write readings/s, batch 5,000', '×2.50'],
      ['end-to-end / raw DuckDB write readings/s (batch 5,000)', '×0.50'],
      ['end-to-end / decode-only messages/s', '×0.02'],
    ]);
  });

  it('has nothing to say when only one benchmark ran', () => {
    expect(summaryTable({ decode: { messagesPerSec: 1, readingsPerSec: 1 } })).toBeUndefined();
  });
});

describe('synthetic readings', () => {
  const grid: ReadingGrid = {
    city: 'nice',
    deviceIds: deviceIdsFor('dev', 3),
    metrics: METRIC_IDS,
    startTs: Date.UTC(2026, 0, 1),
    stepMs: 60_000,
  };

  it('generates any slice of the grid with unique keys and physically possible values', () => {
    const whole = gridReadings(grid, 0, 95);
    expect(gridReadings(grid, 40, 20)).toEqual(whole.slice(40, 60));
    const keys = new Set(whole.map((r) => `${r.deviceId}/${r.metric}/${r.ts}`));
    expect(keys.size).toBe(95);
    expect(whole.every((r) => isPhysicallyPossible(r.metric, r.value))).toBe(true);
    expect(whole[30]).toMatchObject({ deviceId: 'dev-001', ts: grid.startTs + 60_000, metric: 'pm25' });
  });
});

describe('delivery tracker', () => {
  const reading = (deviceId: string, ts: number) => ({
    ts,
    city: 'nice',
    deviceId,
    metric: 'pm25' as const,
    value: 1,
  });

  it('counts a message stored only when its last reading is, and resolves once all are', async () => {
    const tracker = new DeliveryTracker(2);
    tracker.sent('a', 1000, 2, 10);
    tracker.sent('b', 1000, 1, 20);
    tracker.stored([reading('a', 1000), reading('b', 1000)], 50);
    expect(tracker.storedMessages()).toBe(1);
    tracker.stored([reading('a', 1000), reading('a', 9999)], 80);
    await tracker.allStored;
    expect(tracker.latencies()).toEqual([30, 70]);
    expect(tracker.lastStoredAt()).toBe(80);
    expect(tracker.unexpectedReadings()).toBe(1);
    expect(tracker.writes()).toEqual({ count: 2, readings: 4 });
  });
});

describe('wrk report parsing (the API bench load generator)', () => {
  it('reads rate, p50/p99 in any unit, failures and socket errors', () => {
    const report = [
      'Running 10s test @ http://127.0.0.1:8080/v1/latest?city=nice',
      '  2 threads and 8 connections',
      '  Latency Distribution',
      '     50%  910.00us',
      '     75%    1.20ms',
      '     99%    1.05s',
      '  65050 requests in 10.00s, 5.00GB read',
      '  Socket errors: connect 0, read 2, write 0, timeout 3',
      '  Non-2xx or 3xx responses: 10',
      'Requests/sec:   6505.05',
    ].join('\n');
    expect(parseWrkOutput(report)).toEqual({
      requests: 65050,
      perSecond: 6505.05,
      p50Ms: 0.91,
      p99Ms: 1050,
      failed: 15,
    });
    expect(() => parseWrkOutput('wrk: connection refused')).toThrow(/unexpected wrk output/);
  });
});
