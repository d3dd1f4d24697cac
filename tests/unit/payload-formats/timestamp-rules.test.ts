import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeNativePayload } from '../../../domain/payload-formats/native-payload.ts';
import type { Problem } from '../../../domain/reading.ts';
import {
  checkTimeWindow,
  DEFAULT_TIME_POLICY,
  EPOCH_UNITS,
  epochToMs,
  inferEpochUnit,
  parseInstantOrIntervalEnd,
  parseTimestamp,
} from '../../../domain/timestamps.ts';

const INSTANT = Date.parse('2026-11-29T08:00:00Z');
const BAND_START = 1e12; // 2001-09-09T01:46:40Z
const BAND_END = 1e13; // 2286-11-20T17:46:40Z

function problem(result: number | Problem): Problem {
  if (typeof result === 'number')
    throw new Error(`expected a problem, got ${new Date(result).toISOString()}`);
  return result;
}

describe('epoch numbers', () => {
  it.each([
    [1795939200, 's'],
    [1795939200.5, 's'],
    [INSTANT, 'ms'],
    [INSTANT * 1e3, 'us'],
    [INSTANT * 1e6, 'ns'],
  ] as const)('reads %d as %s by magnitude', (value, unit) => {
    expect(inferEpochUnit(value)).toBe(unit);
  });

  it.each([0, -1, 5e10, 5e13, 5e16, 1e19, 1e300])(
    'refuses %d, which fits no band, naming the bands',
    (value) => {
      expect(inferEpochUnit(value)).toBeUndefined();
      const p = problem(parseTimestamp(value, 'ts'));
      expect(p).toMatchObject({ code: 'INGEST_BAD_TIMESTAMP', path: 'ts' });
      expect(p.message).toContain('10^12-10^13 ms');
    },
  );

  it('reads any instant of 2001-2286 back from s, ms, µs and ns by magnitude alone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: BAND_START, max: BAND_END - 1 }),
        fc.constantFrom(...EPOCH_UNITS),
        (ms, unit) => {
          const perMs = { s: 1e-3, ms: 1, us: 1e3, ns: 1e6 }[unit];
          const parsed = parseTimestamp(ms * perMs, 'ts');
          // ns values above 2^53 lose sub-µs precision; seconds keep ms through the float.
          return typeof parsed === 'number' && Math.abs(parsed - ms) <= 1;
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never reads one number two ways: every accepted number lies in 2001-2286 in its unit', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e20, noNaN: true }), (value) => {
        const unit = inferEpochUnit(value);
        if (unit === undefined) return true;
        const ms = epochToMs(value, unit);
        return ms !== undefined && ms >= BAND_START && ms < BAND_END + 1;
      }),
      { numRuns: 3000 },
    );
  });

  it('takes an explicit unit over the magnitude rules', () => {
    expect(parseTimestamp(1.5, 'ts', 's')).toBe(1500);
    expect(parseTimestamp(INSTANT, 'ts', 's')).toBe(INSTANT * 1000);
    expect(problem(parseTimestamp(Number.MAX_VALUE, 'ts', 'ms')).message).toContain(
      'finite epoch time in ms',
    );
  });
});

describe('RFC 3339 strings', () => {
  it.each([
    ['2026-11-29T08:00:00Z', INSTANT],
    ['2026-11-29T09:00:00+01:00', INSTANT],
    ['2026-11-29T16:00:00.000+08:00', INSTANT],
    ['2026-11-29 08:00:00z', INSTANT],
    ['2020-02-12T15:15:46.014773143Z', Date.parse('2020-02-12T15:15:46.014Z')],
  ])('reads %s', (text, expected) => {
    expect(parseTimestamp(text, 'ts')).toBe(expected);
  });

  it.each(['2026-11-29T08:00:00', '2026-11-29T08:00', '2026-11-29 08:00:00.5', '2026-11-29'])(
    'refuses the local time %s as ambiguous',
    (text) => {
      const p = problem(parseTimestamp(text, 'when'));
      expect(p).toMatchObject({ code: 'INGEST_BAD_TIMESTAMP', path: 'when' });
      expect(p.message).toContain('no UTC offset');
    },
  );

  it.each(['yesterday', '2026-02-30T08:00:00Z', '29/11/2026 08:00', ''])(
    'refuses %j as not RFC 3339',
    (text) => {
      expect(problem(parseTimestamp(text, 'ts')).message).toContain('not an RFC 3339 date-time');
    },
  );
});

describe('instants and intervals', () => {
  it('reads an instant, and an interval as its end', () => {
    expect(parseInstantOrIntervalEnd('2026-11-29T08:00:00Z', 'd')).toBe(INSTANT);
    expect(parseInstantOrIntervalEnd('2026-11-29T07:00:00Z/2026-11-29T08:00:00Z', 'd')).toBe(INSTANT);
    expect(parseInstantOrIntervalEnd('2026-11-29T08:00:00+01:00/2026-11-29T09:00:00+01:00', 'd')).toBe(
      INSTANT,
    );
  });

  it.each([
    ['2026-11-29T09:00:00Z/2026-11-29T08:00:00Z', 'ends before it starts'],
    ['2026-11-29T07:00:00Z/PT1H', 'durations are not accepted'],
    ['PT1H/2026-11-29T08:00:00Z', 'durations are not accepted'],
    ['2026-11-29T07:00:00Z/2026-11-29T08:00:00Z/2026-11-29T09:00:00Z', 'not a "start/end" interval'],
    ['2026-11-29T07:00:00/2026-11-29T08:00:00Z', 'no UTC offset'],
    ['2026-11-29T07:00:00Z/2026-11-29T08:00:00', 'no UTC offset'],
  ])('refuses %s', (text, reason) => {
    const p = problem(parseInstantOrIntervalEnd(text, 'dateObserved'));
    expect(p).toMatchObject({ code: 'INGEST_BAD_TIMESTAMP', path: 'dateObserved' });
    expect(p.message).toContain(reason);
  });
});

describe('time window on times beyond the calendar', () => {
  // Found by the decoder fuzz: Date#toISOString throws past year 275760, and the native decoder
  // passes any integer epoch ms to the window check.
  it.each([1e20, -1e20, Number.MAX_SAFE_INTEGER])(
    'reports %d as out of the window instead of throwing',
    (ts) => {
      const p = checkTimeWindow(ts, INSTANT, DEFAULT_TIME_POLICY);
      expect(p?.code).toBe(ts > 0 ? 'INGEST_FUTURE_TIMESTAMP' : 'INGEST_STALE_TIMESTAMP');
      expect(p?.message).toContain(`epoch ${ts} ms`);
    },
  );

  it('lets the native decoder refuse such a payload with a reason', () => {
    const raw = new TextEncoder().encode(JSON.stringify({ ts: 1e20, values: { pm25: 1 } }));
    const ctx = { city: 'nice', deviceId: 'd', receivedAt: INSTANT, timePolicy: DEFAULT_TIME_POLICY };
    expect(decodeNativePayload(raw, ctx)).toMatchObject({
      ok: false,
      problems: [{ code: 'INGEST_FUTURE_TIMESTAMP' }],
    });
  });
});
