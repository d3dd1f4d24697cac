import { afterAll, describe, expect, it } from 'vitest';
import { createAirQualityPool } from '../../api/compute/air-quality-pool.ts';
import type { HourlyValue } from '../../domain/air-quality/index.ts';
import { isUcapError } from '../../domain/errors.ts';

/** The worker threads that keep the air-quality calculations off the API's event loop. */
const pool = createAirQualityPool(1);
afterAll(() => pool.close());

const HOUR = 3_600_000;
const start = Date.parse('2026-01-01T00:00:00Z');
const year = (value: number): HourlyValue[] =>
  Array.from({ length: 365 * 24 }, (_, i) => ({ ts: start - HOUR + i * HOUR, value }));

describe('air-quality worker pool', () => {
  it('assesses a year in a worker thread and gives the same answer as the domain module', async () => {
    const { assessExceedances } = await import('../../domain/air-quality/index.ts');
    const input = {
      standard: 'eu2008' as const,
      timeZone: 'Europe/Paris',
      period: { year: 2026 },
      series: { pm10: year(60) },
    };
    const inWorker = await pool.exceedances(input);
    expect(inWorker).toEqual(assessExceedances(input));
    const daily = inWorker.assessments.find((a) => a.limit.id === 'pm10-24h');
    expect(daily?.exceedances).toBeGreaterThan(300);
  });

  it('keeps the domain error code of a refused input', async () => {
    const error = await pool
      .exceedances({ standard: 'nope', timeZone: 'UTC', period: { year: 2026 }, series: {} } as never)
      .catch((e: unknown) => e);
    expect(isUcapError(error, 'AQ_INVALID_INPUT')).toBe(true);
  });

  it('stops a cancelled calculation and keeps serving the next one', async () => {
    const controller = new AbortController();
    const input = {
      standard: 'who2021' as const,
      timeZone: 'Europe/Paris',
      period: { year: 2026 },
      series: { pm25: year(20), pm10: year(40) },
    };
    const cancelled = pool.exceedances(input, controller.signal).catch((e: unknown) => e);
    controller.abort(new Error('deadline'));
    expect(((await cancelled) as Error).message).toBe('deadline');
    const next = await pool.exceedances(input);
    expect(next.assessments.length).toBeGreaterThan(0);
  });
});

describe('air-quality worker lifetime', () => {
  it('starts no worker until a calculation comes, and ends it once idle (a V8 instance resident for nothing)', async () => {
    const lazy = createAirQualityPool(1, 200);
    try {
      expect(lazy.workers).toBe(0);
      const input = { standard: 'eu2008' as const, timeZone: 'UTC', period: { year: 2026 }, series: {} };
      await lazy.exceedances(input);
      expect(lazy.workers).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(lazy.workers).toBe(0);
      // The next calculation starts a worker again.
      expect((await lazy.exceedances(input)).assessments.length).toBeGreaterThan(0);
    } finally {
      await lazy.close();
    }
    expect(lazy.workers).toBe(0);
  });
});
