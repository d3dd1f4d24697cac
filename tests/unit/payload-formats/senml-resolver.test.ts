import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSenmlPayload } from '../../../domain/payload-formats/senml-payload.ts';
import {
  type ResolvedRecord,
  resolveSenmlPack,
  SENML_RELATIVE_TIME_LIMIT,
  senmlTimeToMs,
} from '../../../domain/payload-formats/senml-resolver.ts';
import { DEFAULT_TIME_POLICY } from '../../../domain/timestamps.ts';

const NOW = Date.parse('2026-11-29T08:00:00Z');

// Records as a sensor writes them: any mix of base fields and regular fields, one numeric value each.
const nameChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-:./_');
const nameStart = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789');
const senmlName = fc.tuple(nameStart, fc.array(nameChar, { maxLength: 12 })).map(([h, t]) => h + t.join(''));
const finite = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
const record = fc.record(
  {
    bn: senmlName,
    bt: fc.oneof(finite(1.7e9, 1.8e9), finite(-1e5, 1e5)),
    bu: fc.constantFrom('Cel', '%RH', 'ug/m3', 'ppb'),
    bv: finite(-1e3, 1e3),
    n: senmlName,
    u: fc.constantFrom('Cel', '%RH', 'ug/m3', 'ppb'),
    v: finite(-1e3, 1e3),
    t: finite(-1e5, 1e5),
  },
  { requiredKeys: ['v'] },
);
const pack = fc.array(record, { minLength: 1, maxLength: 20 });

function resolve(records: readonly unknown[]): ResolvedRecord[] {
  const { records: resolved, problems } = resolveSenmlPack(records);
  if (problems.length > 0) throw new Error(JSON.stringify(problems));
  return resolved;
}

function close(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
}

// A pack is valid only when its first named record has a name: give the first record a bn or n.
const namedPack = pack.map(([first, ...rest]) => [{ bn: 'dev:', ...first }, ...rest]);

describe('SenML resolution (RFC 8428 §4.6)', () => {
  it('carries each base field forward to later records until it is replaced', () => {
    fc.assert(
      fc.property(namedPack, (records) => {
        const resolved = resolve(records);
        let bn = '';
        let bt = 0;
        let bu: string | undefined;
        return records.every((r, i) => {
          bn = r.bn ?? bn;
          bt = r.bt ?? bt;
          bu = r.bu ?? bu;
          const got = resolved[i];
          return (
            got?.name === bn + (r.n ?? '') && got.unit === (r.u ?? bu) && close(got.time, bt + (r.t ?? 0))
          );
        });
      }),
      { numRuns: 500 },
    );
  });

  it('is a fixpoint: the resolved records, written out without base fields, resolve to themselves', () => {
    fc.assert(
      fc.property(namedPack, (records) => {
        const once = resolve(records);
        const written = once.map((r) => ({
          n: r.name,
          ...(r.unit ? { u: r.unit } : {}),
          v: r.value,
          t: r.time,
        }));
        const twice = resolve(written);
        return twice.every(
          (r, i) =>
            r.name === once[i]?.name &&
            r.unit === once[i]?.unit &&
            r.value === once[i]?.value &&
            r.time === once[i]?.time,
        );
      }),
      { numRuns: 500 },
    );
  });

  it('moves freely between base value and value: bv + v is what counts', () => {
    fc.assert(
      fc.property(namedPack, finite(-1e3, 1e3), (records, shift) => {
        const plain = resolve(records.map(({ bv: _bv, ...r }) => r));
        const shifted = resolve(
          records.map(({ bv: _bv, ...r }, i) => ({
            ...r,
            ...(i === 0 ? { bv: shift } : {}),
            v: (r.v ?? 0) - shift,
          })),
        );
        return plain.every((r, i) => close(r.value, shifted[i]?.value));
      }),
      { numRuns: 500 },
    );
  });

  it('moves freely between base time and time: bt + t is what counts', () => {
    fc.assert(
      fc.property(namedPack, finite(-1e4, 1e4), (records, shift) => {
        const plain = resolve(records.map(({ bt: _bt, ...r }) => r));
        const shifted = resolve(
          records.map(({ bt: _bt, ...r }, i) => ({
            ...r,
            ...(i === 0 ? { bt: shift } : {}),
            t: (r.t ?? 0) - shift,
          })),
        );
        return plain.every((r, i) => close(r.time, shifted[i]?.time));
      }),
      { numRuns: 500 },
    );
  });
});

describe('SenML times (RFC 8428 §4.5.3)', () => {
  it('reads times from 2^28 s on as absolute epoch seconds from the device', () => {
    fc.assert(
      fc.property(finite(SENML_RELATIVE_TIME_LIMIT, 4e9), (time) => {
        const { ts, timeSource } = senmlTimeToMs(time, NOW);
        return timeSource === 'device' && Math.abs(ts - time * 1000) <= 0.5;
      }),
    );
  });

  it('reads smaller times, negative ones included, as seconds from the receive time', () => {
    fc.assert(
      fc.property(finite(-1e8, SENML_RELATIVE_TIME_LIMIT - 1), (time) => {
        const { ts, timeSource } = senmlTimeToMs(time, NOW);
        return timeSource === 'receive' && Math.abs(ts - (NOW + time * 1000)) <= 0.5;
      }),
    );
  });

  it('puts the boundary exactly at 2^28 = 268435456 s', () => {
    expect(senmlTimeToMs(268435456, NOW)).toEqual({ ts: 268435456000, timeSource: 'device' });
    expect(senmlTimeToMs(268435455, NOW)).toEqual({ ts: NOW + 268435455000, timeSource: 'receive' });
  });

  it('decodes a pack of relative PM2.5 samples to one flagged reading per distinct time', () => {
    const sample = fc.uniqueArray(fc.integer({ min: -3600, max: 0 }), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(sample, (offsets) => {
        const packed = offsets.map((t, i) => ({
          ...(i === 0 ? { bn: 'urn:dev:x:', bu: 'ug/m3' } : {}),
          n: 'pm25',
          t,
          v: 10,
        }));
        const result = decodeSenmlPayload(new TextEncoder().encode(JSON.stringify(packed)), {
          city: 'nice',
          deviceId: 'd',
          receivedAt: NOW,
          timePolicy: DEFAULT_TIME_POLICY,
        });
        return (
          result.ok &&
          result.readings.length === offsets.length &&
          result.readings.every(
            (r, i) => r.ts === NOW + (offsets[i] ?? 0) * 1000 && r.timeSource === 'receive',
          )
        );
      }),
      { numRuns: 300 },
    );
  });
});
