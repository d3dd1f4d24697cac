import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { computeEaqi, eaqiAveraging, eaqiLevel } from '../../../domain/air-quality/eaqi.ts';
import {
  EAQI_POLLUTANTS,
  EAQI_VERSIONS,
  type EaqiPollutant,
} from '../../../domain/air-quality/eaqi-tables.ts';
import { loadFixture } from './load-fixture.ts';

const pollutantRecord = <T extends z.ZodType>(t: T) => z.object({ pm25: t, pm10: t, no2: t, o3: t, so2: t });
const fixture = loadFixture(
  'eaqi-bands.json',
  z.object({
    levels: z.array(z.string()),
    versions: z.record(
      z.enum(EAQI_VERSIONS),
      z.object({
        averaging: pollutantRecord(z.enum(['1h', '24h-running'])),
        upperBounds: pollutantRecord(z.array(z.number())),
      }),
    ),
  }),
);

interface Case {
  version: (typeof EAQI_VERSIONS)[number];
  pollutant: EaqiPollutant;
  c: number;
  level: number;
}

// Every boundary of every version: just below, exactly at, just above.
const boundaryCases: Case[] = EAQI_VERSIONS.flatMap((version) =>
  EAQI_POLLUTANTS.flatMap((pollutant) =>
    fixture.versions[version].upperBounds[pollutant].flatMap((upper, k) => [
      { version, pollutant, c: upper - 0.1, level: k + 1 },
      { version, pollutant, c: upper, level: k + 1 },
      { version, pollutant, c: upper + 0.1, level: k + 2 },
    ]),
  ),
);

describe('EAQI band boundaries (fixture transcribed from the reference)', () => {
  it.each(boundaryCases)(
    '$version $pollutant $c µg/m³ → level $level',
    ({ version, pollutant, c, level }) => {
      const l = eaqiLevel(pollutant, c, version);
      expect(l.index).toBe(level);
      expect(l.name).toBe(fixture.levels[level - 1]);
    },
  );

  it.each(EAQI_VERSIONS)('%s uses the averaging the reference states', (version) => {
    for (const p of EAQI_POLLUTANTS)
      expect(eaqiAveraging(p, version)).toBe(fixture.versions[version].averaging[p]);
  });

  it('has five levels in 2017 and six since', () => {
    expect(eaqiLevel('pm25', 5000, '2017').index).toBe(5);
    expect(eaqiLevel('pm25', 5000, 'classic').name).toBe('Extremely poor');
    expect(eaqiLevel('pm25', 5000, '2024').colour).toBe('#7D2181');
  });
});

describe('computeEaqi', () => {
  it('defaults to the 2024 bands and takes the worst pollutant', () => {
    const r = computeEaqi({ pm25: 12, no2: 70, o3: 50 });
    expect(r.version).toBe('2024');
    expect(r.subIndices.map((s) => [s.pollutant, s.level.name])).toEqual([
      ['pm25', 'Fair'],
      ['no2', 'Poor'],
      ['o3', 'Good'],
    ]);
    expect(r.overall?.name).toBe('Poor');
    expect(r.dominantPollutants).toEqual(['no2']);
  });

  it('gives the same hourly values a much better classic index', () => {
    const r = computeEaqi({ pm25: 12, no2: 70, o3: 50 }, { version: 'classic' });
    expect(r.overall?.name).toBe('Fair');
    expect(r.dominantPollutants).toEqual(['pm25', 'no2']);
  });

  it('returns no overall level without data', () => {
    expect(computeEaqi({})).toMatchObject({ overall: null, dominantPollutants: [], subIndices: [] });
  });

  it('refuses negative or non-finite concentrations', () => {
    expect(() => computeEaqi({ pm10: -1 })).toThrow(expect.objectContaining({ code: 'AQ_INVALID_INPUT' }));
    expect(() => computeEaqi({ o3: Number.NaN })).toThrow(/finite concentration/);
    expect(() => computeEaqi({ o3: 10 }, { version: 'v9' as never })).toThrow(/unknown EAQI version/);
  });

  it('is monotone in concentration for every pollutant and version', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...EAQI_VERSIONS),
        fc.constantFrom(...EAQI_POLLUTANTS),
        fc.double({ min: 0, max: 2000, noNaN: true }),
        fc.double({ min: 0, max: 2000, noNaN: true }),
        (version, pollutant, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(eaqiLevel(pollutant, lo, version).index).toBeLessThanOrEqual(
            eaqiLevel(pollutant, hi, version).index,
          );
        },
      ),
    );
  });
});
