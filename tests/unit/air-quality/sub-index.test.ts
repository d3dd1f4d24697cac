import { describe, expect, it } from 'vitest';
import {
  bandOf,
  ceilIndex,
  findSegment,
  interpolate,
  nodesToSegments,
  roundHalfEven,
  roundIndex,
  truncateTo,
} from '../../../domain/air-quality/sub-index.ts';

describe('rounding rules', () => {
  it('rounds HJ 633 indices up, but not when float noise sits just above an integer', () => {
    expect(ceilIndex(50.0001)).toBe(51);
    expect(ceilIndex(50)).toBe(50);
    // 0.1 * 3 * 1000 / 3 = 100.00000000000001 in binary floating point: still exactly 100.
    expect(ceilIndex((0.1 * 3 * 1000) / 3)).toBe(100);
    expect(ceilIndex(0)).toBe(0);
  });

  it('rounds EPA indices to the nearest integer, halves up', () => {
    expect(roundIndex(104.5)).toBe(105);
    expect(roundIndex(104.49)).toBe(104);
    expect(roundIndex(153.58)).toBe(154);
    expect(roundIndex(0.5)).toBe(1);
  });

  it('truncates EPA concentrations without being fooled by binary fractions', () => {
    expect(truncateTo(9.1, 1)).toBe(9.1); // 9.1 * 10 = 91.00000000000001
    expect(truncateTo(9.19, 1)).toBe(9.1);
    expect(truncateTo(0.0874125, 3)).toBe(0.087);
    expect(truncateTo(0.07, 3)).toBe(0.07); // 0.07 * 1000 = 70.00000000000001
    expect(truncateTo(54.99, 0)).toBe(54);
    expect(truncateTo(35.49, 1)).toBe(35.4);
  });

  it('rounds half to even for GB/T 8170', () => {
    expect(roundHalfEven(60.5)).toBe(60);
    expect(roundHalfEven(61.5)).toBe(62);
    expect(roundHalfEven(60.4)).toBe(60);
    expect(roundHalfEven(60.6)).toBe(61);
  });
});

describe('piecewise-linear tables', () => {
  const segments = nodesToSegments([0, 35, 75], [0, 50, 100]);

  it('builds one segment per pair of nodes', () => {
    expect(segments).toEqual([
      { cLo: 0, cHi: 35, iLo: 0, iHi: 50 },
      { cLo: 35, cHi: 75, iLo: 50, iHi: 100 },
    ]);
  });

  it('interpolates linearly and finds nothing beyond the last node', () => {
    const s = findSegment(segments, 55);
    expect(s && interpolate(s, 55)).toBe(75);
    expect(findSegment(segments, 75.01)).toBeUndefined();
  });
});

describe('bands', () => {
  it('puts a value on an upper bound into that band and opens the last band', () => {
    const bounds = [5, 15, 50];
    expect(bandOf(bounds, 0)).toBe(1);
    expect(bandOf(bounds, 5)).toBe(1);
    expect(bandOf(bounds, 5.01)).toBe(2);
    expect(bandOf(bounds, 50)).toBe(3);
    expect(bandOf(bounds, 10_000)).toBe(4);
  });
});
