import { describe, expect, it } from 'vitest';
import type { Reading } from '../../domain/reading.ts';
import { ArrivalTracker, RECENT_TIMES_PER_METRIC } from '../../ingest/arrival-tracker.ts';

const r = (ts: number, metric: Reading['metric'] = 'pm25', deviceId = 'a'): Reading => ({
  city: 'nice',
  deviceId,
  metric,
  ts,
  value: 1,
});

describe('arrival tracker', () => {
  it('counts a resent reading as a duplicate and an older one as late, per device and metric', () => {
    const tracker = new ArrivalTracker();
    expect(tracker.observe([r(1000), r(1000, 'no2'), r(2000)])).toEqual({ duplicates: 0, late: 0 });
    // The same message again (a lost PUBACK): both metrics are duplicates.
    expect(tracker.observe([r(1000), r(1000, 'no2')])).toEqual({ duplicates: 2, late: 0 });
    // Older than the device's newest reading, never seen: late.
    expect(tracker.observe([r(1500)])).toEqual({ duplicates: 0, late: 1 });
    // Another device's readings are its own.
    expect(tracker.observe([r(1000, 'pm25', 'b')])).toEqual({ duplicates: 0, late: 0 });
  });

  it('remembers the last RECENT_TIMES_PER_METRIC times; an older resend counts as late', () => {
    const tracker = new ArrivalTracker();
    const times = Array.from({ length: RECENT_TIMES_PER_METRIC + 1 }, (_, i) => 10_000 + i);
    tracker.observe(times.map((ts) => r(ts)));
    expect(tracker.observe([r(times[1] ?? 0)])).toEqual({ duplicates: 1, late: 0 });
    expect(tracker.observe([r(times[0] ?? 0)])).toEqual({ duplicates: 0, late: 1 });
  });
});
