import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  RETENTION_FIRST_PASS_MS,
  RETENTION_INTERVAL_MS,
  retentionHorizon,
  scheduleRetention,
} from '../../store/raw-retention.ts';

const NOW = Date.parse('2026-12-02T10:40:00Z');

afterEach(() => {
  vi.useRealTimers();
});

describe('raw retention passes', () => {
  it('deletes before the hour that starts the retention window, never with 0 days', () => {
    expect(retentionHorizon(30, NOW)).toBe(Date.parse('2026-11-02T10:00:00Z'));
    expect(retentionHorizon(0, NOW)).toBeUndefined();
  });

  it('runs a minute after opening, then every hour, one pass at a time', async () => {
    vi.useFakeTimers();
    const horizons: number[] = [];
    const passes = scheduleRetention(
      async (horizon) => {
        horizons.push(horizon);
      },
      { rawRetentionDays: 7, now: () => NOW },
    );
    await vi.advanceTimersByTimeAsync(RETENTION_FIRST_PASS_MS - 1);
    expect(horizons).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(horizons).toEqual([retentionHorizon(7, NOW)]);
    await vi.advanceTimersByTimeAsync(RETENTION_INTERVAL_MS);
    expect(horizons).toHaveLength(2);
    await passes.runNow();
    expect(horizons).toHaveLength(3);
    passes.stop();
    await vi.advanceTimersByTimeAsync(10 * RETENTION_INTERVAL_MS);
    expect(horizons).toHaveLength(3);
  });

  it('reports a failed pass and tries again at the next one', async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    let calls = 0;
    const passes = scheduleRetention(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('store down');
      },
      { rawRetentionDays: 1, now: () => NOW, onError: (e) => errors.push(e) },
    );
    await vi.advanceTimersByTimeAsync(RETENTION_FIRST_PASS_MS + RETENTION_INTERVAL_MS);
    expect(errors).toHaveLength(1);
    expect(calls).toBe(2);
    passes.stop();
  });

  it('does nothing when raw readings are kept forever', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const passes = scheduleRetention(
      async () => {
        calls += 1;
      },
      { rawRetentionDays: 0 },
    );
    await passes.runNow();
    await vi.advanceTimersByTimeAsync(3 * RETENTION_INTERVAL_MS);
    expect(calls).toBe(0);
  });
});
