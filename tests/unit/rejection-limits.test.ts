import { describe, expect, it } from 'vitest';
import { MAX_KEPT_REASON_CHARS, toRejection } from '../../domain/reading.ts';
import { RejectionBudget } from '../../ingest/rejection-budget.ts';

describe('toRejection', () => {
  it('truncates a long reason like the payload', () => {
    const message = 'x'.repeat(64 * 1024);
    const rejection = toRejection([{ code: 'INGEST_INVALID_PAYLOAD', message }], {
      receivedAt: 0,
      city: 'nice',
      deviceId: 'd',
      topic: 'ucap/nice/d/readings',
      payload: new TextEncoder().encode('{}'),
    });
    expect(rejection.reason).toBe(`${message.slice(0, MAX_KEPT_REASON_CHARS)}…`);
  });
});

describe('RejectionBudget', () => {
  it('admits N per device and minute, each device apart, and refills at the next minute', () => {
    let now = 60_000 * 100 + 5;
    const budget = new RejectionBudget(3, { now: () => now });
    const admitted = () => Array.from({ length: 5 }, () => budget.admit('a'));
    expect(admitted()).toEqual([true, true, true, false, false]);
    expect(budget.admit('b')).toBe(true);
    now += 60_000;
    expect(admitted()).toEqual([true, true, true, false, false]);
  });
});
