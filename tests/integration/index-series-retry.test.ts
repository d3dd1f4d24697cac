import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIndexSeriesMaintainer } from '../../aqi/index-series-maintainer.ts';
import { withIndexSeries } from '../../aqi/index-series-store.ts';
import { CityCatalog, DEFAULT_CITIES } from '../../domain/cities.ts';
import { UcapError } from '../../domain/errors.ts';
import type { Reading } from '../../domain/reading.ts';
import { createDuckDbStore } from '../../store/duckdb/duckdb-store.ts';
import type { IndexRow } from '../../store/index-row.ts';
import type { IndexRange, IndexSeriesSink } from '../../store/index-series-sink.ts';
import type { TimeSeriesStore } from '../../store/time-series-store.ts';

/**
 * The maintainer when its sink fails (InfluxDB down or refusing): nothing is lost, the touched days
 * are rewritten by the next flush. The store is the real embedded DuckDB; the sink is an in-memory
 * recorder that can be told to fail, standing in for the `aqi` measurement.
 */
class RecordingSink implements IndexSeriesSink {
  failing = false;
  /** How many more replaces fail as a store failing for a moment does (retryable). */
  failingForAMoment = 0;
  readonly replaced: { range: IndexRange; rows: readonly IndexRow[] }[] = [];
  async replace(range: IndexRange, rows: readonly IndexRow[]): Promise<void> {
    if (this.failing) throw new Error('sink unavailable');
    if (this.failingForAMoment > 0) {
      this.failingForAMoment -= 1;
      throw new UcapError('STORE_WRITE_FAILED', 'engine is closed', { retryable: true });
    }
    this.replaced.push({ range, rows });
  }
  async close(): Promise<void> {}
}

const DAY = Date.parse('2026-12-01T00:00:00+08:00');
let store: TimeSeriesStore;

beforeAll(async () => {
  store = await createDuckDbStore({ path: ':memory:' });
});

afterAll(async () => {
  await store.close();
});

function pm25(deviceId: string, value: number, hours: number): Reading[] {
  return Array.from({ length: hours }, (_, h) => ({
    ts: DAY + h * 3_600_000,
    city: 'zhengzhou',
    deviceId,
    metric: 'pm25' as const,
    value,
  }));
}

/** A maintainer of HJ 633 index series into a recording sink, its background errors collected. */
function maintainedHj633() {
  const sink = new RecordingSink();
  const errors: unknown[] = [];
  const maintainer = createIndexSeriesMaintainer({
    store,
    sink,
    cities: new CityCatalog(DEFAULT_CITIES),
    standards: ['hj633'],
    onError: (e) => errors.push(e),
  });
  return { sink, errors, maintainer };
}

describe('index series when the sink fails', () => {
  it('keeps the touched days and rewrites them at the next flush', async () => {
    const { sink, maintainer } = maintainedHj633();
    const writer = withIndexSeries(store, maintainer);
    await writer.writeReadings(pm25('zz-1', 35.4, 24));
    sink.failing = true;
    await expect(maintainer.flush()).rejects.toThrow('sink unavailable');
    expect(sink.replaced).toEqual([]);
    sink.failing = false;
    const report = await maintainer.flush();
    expect(report).toMatchObject({ cities: 1, days: 1 });
    const daily = sink.replaced
      .find((r) => r.range.every === '1d')
      ?.rows.find((r) => r.ts === DAY && !r.deviceId);
    expect(daily).toMatchObject({ standard: 'hj633', value: 51, primary: ['pm25'] });
    await maintainer.close();
  });

  it('ignores readings that no index uses and cities it does not know', async () => {
    const sink = new RecordingSink();
    const maintainer = createIndexSeriesMaintainer({ store, sink, cities: new CityCatalog(DEFAULT_CITIES) });
    maintainer.noteReadings([
      { ts: DAY, city: 'zhengzhou', deviceId: 'zz-1', metric: 'temperature', value: 12 },
      { ts: DAY, city: 'atlantis', deviceId: 'x', metric: 'pm25', value: 12 },
    ]);
    expect(await maintainer.flush()).toEqual({ cities: 0, days: 0, rows: 0 });
    expect(sink.replaced).toEqual([]);
    await maintainer.close();
  });

  it('at close, tries a store that fails for a moment again and writes what was pending', async () => {
    const { sink, errors, maintainer } = maintainedHj633();
    await withIndexSeries(store, maintainer).writeReadings(pm25('zz-2', 35.4, 24));
    sink.failingForAMoment = 2;
    await maintainer.close();
    expect(errors).toHaveLength(2);
    expect(sink.replaced.map((r) => r.range.every)).toEqual(['1h', '1d']);
  });

  it('at close, gives up at once on a failure that trying again cannot mend', async () => {
    const { sink, maintainer } = maintainedHj633();
    await withIndexSeries(store, maintainer).writeReadings(pm25('zz-3', 35.4, 24));
    sink.failing = true;
    await expect(maintainer.close()).rejects.toThrow('sink unavailable');
    expect(sink.replaced).toEqual([]);
  });
});
