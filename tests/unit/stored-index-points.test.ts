import { describe, expect, it } from 'vitest';
import { dailySettleMs, storedIndexPoints } from '../../api/stored-index-points.ts';
import { indexRevision } from '../../aqi/index-revision.ts';
import { indexRows } from '../../aqi/index-rows.ts';
import type { IndexRow } from '../../store/index-row.ts';
import type { IndexCoverage, IndexSeriesReader } from '../../store/index-series-sink.ts';

/**
 * Which periods /v1/aqi takes from the stored index series and which it computes, over a reader
 * holding rows computed by the real index code (the stores' own readers are tested on the real
 * stores in tests/integration/api-aqi-stored.test.ts).
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Zhengzhou, UTC+8 all year: local days start at 16:00Z.
const D0 = Date.parse('2026-11-30T16:00:00Z');
const series = {
  pm25: Array.from({ length: 6 * 24 }, (_, k) => ({ ts: D0 - DAY + k * HOUR, value: 40 })),
};

function rowsOf(every: '1h' | '1d', version?: string, standard: 'hj633' | 'epa' = 'hj633'): IndexRow[] {
  return indexRows({
    city: 'zhengzhou',
    timeZone: 'Asia/Shanghai',
    series,
    hours: every === '1h' ? { from: D0, to: D0 + 4 * DAY } : { from: 0, to: 0 },
    days: every === '1d' ? { from: D0, to: D0 + 4 * DAY } : { from: 0, to: 0 },
    standards: [standard],
  }).map((row) => (version === undefined ? row : { ...row, version }));
}

function reader(rows: IndexRow[], coverage: IndexCoverage[]): IndexSeriesReader {
  return {
    async read(q) {
      return {
        rows: rows.filter((r) => r.every === q.every && r.ts >= q.from && r.ts < q.to),
        unreadable: [],
        coverage: coverage.filter((c) => c.to > q.from && c.from < q.to),
      };
    },
  };
}

const day = (k: number, computedAt: number, revision = indexRevision()): IndexCoverage => ({
  from: D0 + k * DAY,
  to: D0 + (k + 1) * DAY,
  computedAt,
  revision,
});
const request = (every: '1h' | '1d', extra: { version?: string } = {}) => ({
  city: 'zhengzhou',
  standard: 'hj633' as const,
  every,
  from: D0,
  to: D0 + 4 * DAY,
  ...extra,
});

describe('stored index points', () => {
  it('computes everything without stored series', async () => {
    const answer = await storedIndexPoints(undefined, request('1d'));
    expect(answer.compute).toEqual([{ from: D0, to: D0 + 4 * DAY }]);
    expect(answer.points).toEqual([]);
  });

  it('takes the hours that had ended when their day was computed, and computes the open ones', async () => {
    const computedAt = D0 + 3 * DAY + 10.5 * HOUR;
    const coverage = [0, 1, 2, 3].map((k) => day(k, k < 3 ? D0 + 4 * DAY : computedAt));
    const answer = await storedIndexPoints(reader(rowsOf('1h'), coverage), request('1h'));
    expect(answer.compute).toEqual([{ from: D0 + 3 * DAY + 10 * HOUR, to: D0 + 4 * DAY }]);
    expect(answer.points.map((p) => p.ts)).toEqual(
      Array.from({ length: 3 * 24 + 10 }, (_, k) => D0 + k * HOUR),
    );
  });

  it('takes a day once computed after its end, an EPA day 8 hours later (late 8-hour windows)', async () => {
    const end = D0 + DAY;
    const answer = async (standard: 'hj633' | 'epa', computedAt: number) =>
      storedIndexPoints(reader(rowsOf('1d', undefined, standard), [day(0, computedAt)]), {
        ...request('1d'),
        standard,
        to: end,
      });
    expect(dailySettleMs('epa')).toBe(8 * HOUR);
    expect((await answer('hj633', end - 1)).compute).toEqual([{ from: D0, to: end }]);
    expect((await answer('hj633', end)).compute).toEqual([]);
    expect((await answer('epa', end + 8 * HOUR - 1)).compute).toEqual([{ from: D0, to: end }]);
    const settled = await answer('epa', end + 8 * HOUR);
    expect(settled.compute).toEqual([]);
    expect(settled.points.map((p) => [p.date, p.result.standard])).toEqual([['2026-12-01', 'epa']]);
  });

  it('computes each gap on its own: days never computed between and after stored ones', async () => {
    const late = D0 + 10 * DAY;
    const answer = await storedIndexPoints(reader(rowsOf('1d'), [day(0, late), day(2, late)]), request('1d'));
    expect(answer.compute).toEqual([
      { from: D0 + DAY, to: D0 + 2 * DAY },
      { from: D0 + 3 * DAY, to: D0 + 4 * DAY },
    ]);
    expect(answer.points.map((p) => p.ts)).toEqual([D0, D0 + 2 * DAY]);
  });

  it('computes again the periods stored under another version than the one asked for', async () => {
    const coverage = [0, 1, 2, 3].map((k) => day(k, D0 + 10 * DAY));
    const stored = reader(rowsOf('1d', '2012'), coverage);
    expect((await storedIndexPoints(stored, request('1d'))).compute).toEqual([]);
    expect((await storedIndexPoints(stored, request('1d', { version: '2012' }))).compute).toEqual([]);
    expect((await storedIndexPoints(stored, request('1d', { version: '2026' }))).compute).toEqual([
      { from: D0, to: D0 + 4 * DAY },
    ]);
  });

  it('computes again the days stored by index code that answers differently (before an upgrade)', async () => {
    const late = D0 + 10 * DAY;
    const coverage = [day(0, late), day(1, late, 'older-code'), day(2, late), day(3, late)];
    const answer = await storedIndexPoints(reader(rowsOf('1d'), coverage), request('1d'));
    expect(answer.compute).toEqual([{ from: D0 + DAY, to: D0 + 2 * DAY }]);
    expect(answer.points.map((p) => p.ts)).toEqual([D0, D0 + 2 * DAY, D0 + 3 * DAY]);
  });
});
