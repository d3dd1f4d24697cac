import { describe, expect, it } from 'vitest';
import { isUcapError } from '../../domain/errors.ts';
import { parseInterval, parseSimulateArgs } from '../../simulators/simulate-args.ts';

const CITIES = ['nice', 'zhengzhou'];

function failure(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    expect(isUcapError(error, 'CONFIG_INVALID')).toBe(true);
    return error as Error;
  }
  throw new Error('expected a CONFIG_INVALID error');
}

describe('simulate command line', () => {
  it('simulates every city every 5 s by default', () => {
    expect(parseSimulateArgs([], CITIES)).toEqual({ cities: CITIES, intervalMs: 5000 });
    expect(parseSimulateArgs(['--city', 'all'], CITIES).cities).toEqual(CITIES);
  });

  it('takes one city, an interval and a seed', () => {
    expect(parseSimulateArgs(['--city', 'zhengzhou', '--interval', '2s', '--seed', '42'], CITIES)).toEqual({
      cities: ['zhengzhou'],
      intervalMs: 2000,
      seed: 42,
    });
  });

  it('refuses an unknown city and lists the cities that can be simulated', () => {
    const error = failure(() => parseSimulateArgs(['--city', 'paris'], CITIES));
    expect(error.message).toContain('unknown city "paris"');
    expect(error.message).toContain('nice, zhengzhou');
  });

  it('refuses unknown options and bad seeds with the usage line', () => {
    expect(failure(() => parseSimulateArgs(['--town', 'nice'], CITIES)).message).toContain('usage:');
    expect(failure(() => parseSimulateArgs(['--seed', '-1'], CITIES)).message).toContain('--seed');
  });

  it('reads intervals with units; a bare number is milliseconds', () => {
    expect(parseInterval('500ms')).toBe(500);
    expect(parseInterval('5s')).toBe(5000);
    expect(parseInterval('1.5m')).toBe(90_000);
    expect(parseInterval('1h')).toBe(3_600_000);
    expect(parseInterval('250')).toBe(250);
    for (const bad of ['5 minutes', '0s', '50ms', '-1s', ''])
      expect(failure(() => parseInterval(bad)).message).toContain('--interval');
  });
});
