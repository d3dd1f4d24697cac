import { describe, expect, it, vi } from 'vitest';
import type { Reading } from '../../domain/reading.ts';
import type { HourKey } from '../../store/rollup-plan.ts';
import { RollupScheduler } from '../../store/rollup-scheduler.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
const reading = (ts: number, deviceId = 'a'): Reading => ({
  city: 'nice',
  deviceId,
  metric: 'pm25',
  ts,
  value: 1,
});

function harness(settleMs = 60_000) {
  let now = T0;
  const refreshed: HourKey[][] = [];
  let gate: Promise<void> | undefined;
  const scheduler = new RollupScheduler({
    refresh: async (keys) => {
      refreshed.push([...keys]);
      await gate;
    },
    intervalMs: 10_000,
    settleMs,
    now: () => now,
  });
  return {
    scheduler,
    refreshed,
    at: (ms: number) => {
      now = ms;
    },
    hold: (p: Promise<void>) => {
      gate = p;
    },
  };
}

describe('rollup scheduler', () => {
  it('rolls an hour up once it has ended and settled, not on every write', async () => {
    const h = harness();
    h.scheduler.touched([reading(T0 + 60_000), reading(T0 + 120_000), reading(T0 + 60_000, 'b')]);
    h.at(T0 + HOUR + 30_000); // the hour ended 30 s ago: still settling
    await h.scheduler.flush();
    expect(h.refreshed).toEqual([]);
    h.at(T0 + HOUR + 60_000);
    await h.scheduler.flush();
    expect(h.refreshed).toEqual([
      [
        { city: 'nice', deviceId: 'a', metric: 'pm25', hour: T0 },
        { city: 'nice', deviceId: 'b', metric: 'pm25', hour: T0 },
      ],
    ]);
    await h.scheduler.flush();
    expect(h.refreshed).toHaveLength(1);
    await h.scheduler.close();
  });

  it('marks an old hour stale when a late reading touches it, until it is rolled up again', async () => {
    const h = harness();
    h.at(T0 + 5 * HOUR);
    // Hours before the unsettled ones are trusted: the settle time and one refresh interval.
    expect(h.scheduler.staleFrom()).toBe(T0 + 4 * HOUR);
    h.scheduler.touched([reading(T0 + 10_000)]);
    expect(h.scheduler.staleFrom()).toBe(T0);
    await h.scheduler.flush();
    expect(h.scheduler.staleFrom()).toBe(T0 + 4 * HOUR);
    await h.scheduler.close();
  });

  it('keeps a group due when it is touched again while its refresh runs', async () => {
    const h = harness();
    h.at(T0 + 3 * HOUR);
    h.scheduler.touched([reading(T0)]);
    let release = () => {};
    h.hold(
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    const running = h.scheduler.flush();
    await vi.waitFor(() => expect(h.refreshed).toHaveLength(1));
    h.scheduler.touched([reading(T0 + 1000)]);
    release();
    await running;
    expect(h.scheduler.staleFrom()).toBe(T0);
    await h.scheduler.flush();
    expect(h.refreshed).toHaveLength(2);
    expect(h.scheduler.staleFrom()).toBe(T0 + 2 * HOUR);
    await h.scheduler.close();
  });

  it('rolls up everything touched, settled or not, when closed', async () => {
    const h = harness();
    h.scheduler.touched([reading(T0 + 1000)]);
    await h.scheduler.close();
    expect(h.refreshed).toEqual([[{ city: 'nice', deviceId: 'a', metric: 'pm25', hour: T0 }]]);
  });
});
