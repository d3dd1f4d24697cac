import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Assessment } from '../../../domain/air-quality/limit-types.ts';
import {
  LIMIT_STANDARD_IDS,
  LIMIT_STANDARDS,
  limitValuesFor,
} from '../../../domain/air-quality/limit-values.ts';
import { loadFixture } from './load-fixture.ts';

const fixture = loadFixture(
  'limit-values.json',
  z.object({
    cases: z.array(
      z.object({
        standard: z.enum(LIMIT_STANDARD_IDS),
        grade: z.string().optional(),
        year: z.number(),
        phase: z.string().optional(),
        limits: z.record(z.string(), z.tuple([z.number(), z.string()])),
      }),
    ),
  }),
);

function describeAssessment(a: Assessment): string {
  switch (a.kind) {
    case 'count':
      return `count:${a.allowed}`;
    case 'percentile':
      return `p:${a.p}`;
    default:
      return a.kind;
  }
}

describe('limit values (fixture transcribed from the reference)', () => {
  it.each(fixture.cases)('$standard $grade $year has exactly the reference limits', (c) => {
    const selected = limitValuesFor(c.standard, {
      year: c.year,
      ...(c.grade === undefined ? {} : { grade: c.grade }),
    });
    const actual = Object.fromEntries(
      selected.limits.map((l) => [l.id, [l.value, describeAssessment(l.assessment)]]),
    );
    expect(actual).toEqual(c.limits);
    if (c.phase) expect(selected.phase).toBe(c.phase);
  });

  it('uses mg/m³ for CO and µg/m³ for everything else', () => {
    for (const id of LIMIT_STANDARD_IDS) {
      for (const set of LIMIT_STANDARDS[id].sets) {
        for (const l of set.limits) expect(l.unit).toBe(l.pollutant === 'co' ? 'mg/m³' : 'µg/m³');
      }
    }
  });

  it('keeps ids unique within every set', () => {
    for (const id of LIMIT_STANDARD_IDS) {
      for (const set of LIMIT_STANDARDS[id].sets) {
        expect(new Set(set.limits.map((l) => l.id)).size).toBe(set.limits.length);
      }
    }
  });

  it('marks the values the reference calls uncertain', () => {
    const eu = limitValuesFor('eu2008', { year: 2025 }).limits;
    expect(eu.filter((l) => l.uncertain).map((l) => l.id)).toEqual([
      'no2-3h-consecutive',
      'so2-3h-consecutive',
    ]);
  });

  it('defaults to grade II for GB 3095 and to the AQG for WHO', () => {
    expect(limitValuesFor('gb3095-2012', { year: 2025 }).grade).toBe('II');
    expect(limitValuesFor('who2021', { year: 2025 }).grade).toBe('aqg');
  });
});
