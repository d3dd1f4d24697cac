import { describe, expect, it } from 'vitest';
import { decodeNativePayload } from '../../domain/payload-formats/native-payload.ts';
import type { DecodeResult } from '../../domain/reading.ts';
import { DEFAULT_TIME_POLICY } from '../../domain/timestamps.ts';

const NOW = Date.parse('2026-11-29T08:00:00Z');
const ctx = { city: 'nice', deviceId: 'nice-arson', receivedAt: NOW, timePolicy: DEFAULT_TIME_POLICY };

function decode(payload: unknown): DecodeResult {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return decodeNativePayload(new TextEncoder().encode(text), ctx);
}

function problemsOf(result: DecodeResult) {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.readings)}`);
  return result.problems;
}

describe('native payload decoder', () => {
  it('turns an RFC 3339 payload into one reading per metric, city and device from the topic', () => {
    const result = decode({
      ts: '2026-11-29T08:59:30+01:00',
      values: { pm25: 12.3, no2: 40, temperature: -3.5 },
    });
    expect(result).toEqual({
      ok: true,
      readings: [
        {
          ts: Date.parse('2026-11-29T07:59:30Z'),
          city: 'nice',
          deviceId: 'nice-arson',
          metric: 'pm25',
          value: 12.3,
        },
        {
          ts: Date.parse('2026-11-29T07:59:30Z'),
          city: 'nice',
          deviceId: 'nice-arson',
          metric: 'no2',
          value: 40,
        },
        {
          ts: Date.parse('2026-11-29T07:59:30Z'),
          city: 'nice',
          deviceId: 'nice-arson',
          metric: 'temperature',
          value: -3.5,
        },
      ],
    });
  });

  it('accepts epoch milliseconds, seq and meta', () => {
    const result = decode({ ts: NOW - 1000, values: { humidity: 55 }, seq: 7, meta: { firmware: '1.2.0' } });
    expect(result.ok && result.readings[0]?.ts).toBe(NOW - 1000);
  });

  it.each([
    ['a negative PM2.5', { ts: NOW, values: { pm25: -5 } }, 'INGEST_OUT_OF_RANGE', 'values.pm25'],
    [
      'humidity above 100 %',
      { ts: NOW, values: { humidity: 100.5 } },
      'INGEST_OUT_OF_RANGE',
      'values.humidity',
    ],
    [
      'pressure sent in Pa',
      { ts: NOW, values: { pressure: 101325 } },
      'INGEST_OUT_OF_RANGE',
      'values.pressure',
    ],
    ['an unknown metric', { ts: NOW, values: { pm1: 3 } }, 'INGEST_UNKNOWN_METRIC', 'values.pm1'],
    [
      'a number sent as a string',
      { ts: NOW, values: { pm10: '12' } },
      'INGEST_INVALID_PAYLOAD',
      'values.pm10',
    ],
    ['a timestamp in words', { ts: 'yesterday', values: { pm25: 3 } }, 'INGEST_BAD_TIMESTAMP', 'ts'],
    [
      'a local time without offset',
      { ts: '2026-11-29T08:00:00', values: { pm25: 3 } },
      'INGEST_BAD_TIMESTAMP',
      'ts',
    ],
    ['an impossible date', { ts: '2026-02-30T08:00:00Z', values: { pm25: 3 } }, 'INGEST_BAD_TIMESTAMP', 'ts'],
    ['epoch seconds', { ts: Math.floor(NOW / 1000), values: { pm25: 3 } }, 'INGEST_BAD_TIMESTAMP', 'ts'],
    ['a time 10 minutes ahead', { ts: NOW + 600_000, values: { pm25: 3 } }, 'INGEST_FUTURE_TIMESTAMP', 'ts'],
    [
      'a time 60 days old',
      { ts: NOW - 60 * 86_400_000, values: { pm25: 3 } },
      'INGEST_STALE_TIMESTAMP',
      'ts',
    ],
    ['no values', { ts: NOW, values: {} }, 'INGEST_INVALID_PAYLOAD', 'values'],
    ['no ts', { values: { pm25: 3 } }, 'INGEST_INVALID_PAYLOAD', 'ts'],
    ['a JSON array', [1, 2], 'INGEST_INVALID_PAYLOAD', '(root)'],
  ])('rejects %s with a reason naming the field', (_name, payload, code, path) => {
    const problems = problemsOf(decode(payload));
    expect(problems).toContainEqual(expect.objectContaining({ code, path }));
    expect(problems.every((p) => p.message.length > 10)).toBe(true);
  });

  it('refuses the whole message when one value is bad, listing every problem', () => {
    const problems = problemsOf(decode({ ts: 'yesterday', values: { pm25: -5, pm10: 20, foo: 1 } }));
    expect(problems.map((p) => p.code).sort()).toEqual([
      'INGEST_BAD_TIMESTAMP',
      'INGEST_OUT_OF_RANGE',
      'INGEST_UNKNOWN_METRIC',
    ]);
  });

  it('rejects bytes that are not JSON or not UTF-8', () => {
    expect(problemsOf(decode('{"ts":')).at(0)?.code).toBe('INGEST_INVALID_JSON');
    const latin1 = decodeNativePayload(Uint8Array.from([0x7b, 0xe9, 0x7d]), ctx);
    expect(problemsOf(latin1).at(0)?.message).toMatch(/UTF-8/);
  });

  it('accepts values exactly on the physical bounds', () => {
    expect(decode({ ts: NOW, values: { pm25: 0, humidity: 100, temperature: -90 } }).ok).toBe(true);
  });
});
