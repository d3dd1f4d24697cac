import { describe, expect, it } from 'vitest';
import { hourRuns } from '../../store/influxdb/influx-hour-rollups.ts';

const HOUR = 3_600_000;

describe('InfluxDB rollup refresh runs', () => {
  it('merges consecutive hours, but never more than 6 into one query (a month at once timed out)', () => {
    const month = Array.from({ length: 30 * 24 }, (_, i) => i * HOUR);
    const runs = hourRuns([...month].reverse());
    expect(runs).toHaveLength(120);
    expect(runs.every((run) => run.to - run.from === 6 * HOUR)).toBe(true);
    expect(runs[0]).toEqual({ from: 0, to: 6 * HOUR });
    expect(runs.at(-1)).toEqual({ from: 714 * HOUR, to: 720 * HOUR });
  });

  it('keeps gaps between runs and counts an hour once', () => {
    expect(hourRuns([0, HOUR, HOUR, 5 * HOUR])).toEqual([
      { from: 0, to: 2 * HOUR },
      { from: 5 * HOUR, to: 6 * HOUR },
    ]);
  });
});
