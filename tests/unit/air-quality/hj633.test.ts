import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  computeHj633Aqi,
  hj633Iaqi,
  hj633Level,
  hj633VersionFor,
} from '../../../domain/air-quality/hj633.ts';
import {
  HJ633_MEASURES,
  HJ633_TABLES,
  HJ633_VERSIONS,
  type Hj633Measure,
  type Hj633Version,
} from '../../../domain/air-quality/hj633-tables.ts';
import { interpolate, nodesToSegments } from '../../../domain/air-quality/sub-index.ts';
import { loadFixture } from './load-fixture.ts';

const columns = z.object(
  Object.fromEntries(HJ633_MEASURES.map((m) => [m, z.array(z.number())])) as Record<
    Hj633Measure,
    z.ZodArray<z.ZodNumber>
  >,
);
const fixture = loadFixture(
  'hj633-breakpoints.json',
  z.object({
    iaqi: z.array(z.number()),
    versions: z.object({ '2012': columns, '2026': columns }),
    levels: z.array(
      z.object({
        aqi: z.tuple([z.number(), z.number()]),
        zh: z.string(),
        en: z.string(),
        colour: z.string(),
      }),
    ),
  }),
);

// A step small enough that the index moves by less than 1 on every column (steepest: CO 24-h, 25/mg).
const delta = (m: Hj633Measure) => (m.startsWith('co') ? 0.001 : 0.01);

interface NodeCase {
  version: Hj633Version;
  measure: Hj633Measure;
  c: number;
  iaqi: number;
  where: 'below' | 'at' | 'above';
}

const nodeCases: NodeCase[] = HJ633_VERSIONS.flatMap((version) =>
  HJ633_MEASURES.flatMap((measure) => {
    const nodes = fixture.versions[version][measure];
    return nodes.flatMap((c, k): NodeCase[] => {
      const iaqi = fixture.iaqi[k] ?? Number.NaN;
      const cases: NodeCase[] = [{ version, measure, c, iaqi, where: 'at' }];
      if (k > 0) cases.push({ version, measure, c: c - delta(measure), iaqi, where: 'below' });
      if (k < nodes.length - 1)
        cases.push({ version, measure, c: c + delta(measure), iaqi: iaqi + 1, where: 'above' });
      return cases;
    });
  }),
);

describe('HJ 633 breakpoints: every node just below, at and just above (PM unrounded)', () => {
  it.each(nodeCases)('$version $measure $where $c → IAQI $iaqi', ({ version, measure, c, iaqi }) => {
    // The SO2 24-h / O3 1-h values make the 2012 above-table rules computable; they do not change nodes.
    expect(hj633Iaqi(measure, c, { version, roundPm: false }).iaqi).toBe(iaqi);
  });
});

describe('HJ 633 worked examples (reference §1.2)', () => {
  it('Beijing 1001A under 2012: PM10 1-hour 58 µg/m³ gives AQI 54', () => {
    const r = computeHj633Aqi({ pm10: 58 }, { version: '2012', report: 'hourly' });
    expect(r.aqi).toBe(54);
    expect(r.primaryPollutants).toEqual(['pm10']);
  });

  it('HJ 633—2026 test vectors: SO2 1-h 500 → 100; SO2 24-h 150 → 100 and 475 → 150', () => {
    expect(hj633Iaqi('so2_1h', 500, { version: '2026' }).iaqi).toBe(100);
    expect(hj633Iaqi('so2_24h', 150, { version: '2026' }).iaqi).toBe(100);
    expect(hj633Iaqi('so2_24h', 475, { version: '2026' }).iaqi).toBe(150);
  });

  it('tightened PM: 75 µg/m³ PM2.5 is 100 under 2012 but 114 under 2026', () => {
    expect(hj633Iaqi('pm25', 75, { version: '2012' }).iaqi).toBe(100);
    // (150 − 100)/(115 − 60) × (75 − 60) + 100 = 113.6 → rounded up to 114
    expect(hj633Iaqi('pm25', 75, { version: '2026' }).iaqi).toBe(114);
    expect(hj633Iaqi('pm10', 150, { version: '2026' }).iaqi).toBe(112); // 111.54 → 112
  });
});

describe('HJ 633 rounding', () => {
  it('rounds every IAQI up (进位取整), even a hair above an integer', () => {
    expect(hj633Iaqi('pm25', 35.1, { version: '2012' }).iaqi).toBe(51); // 50.125
    expect(hj633Iaqi('pm25', 36, { version: '2012' }).iaqi).toBe(52); // 51.25
    expect(hj633Iaqi('no2_24h', 40.8, { version: '2012' }).iaqi).toBe(51); // exactly 51.0
    expect(hj633Iaqi('co_24h', 2.0004, { version: '2012' }).iaqi).toBe(51); // 50.01
  });

  it('2026 looks PM up as measured: the standard prescribes no rounding before the lookup', () => {
    // 60.4: (150 − 100)/(115 − 60) × 0.4 + 100 = 100.36 → 101
    expect(hj633Iaqi('pm25', 60.4, { version: '2026' })).toMatchObject({ concentration: 60.4, iaqi: 101 });
    // 35.4: (100 − 50)/(60 − 35) × 0.4 + 50 = 50.8 → 51, so PM2.5 is the primary pollutant
    const r = computeHj633Aqi({ pm25: 35.4, no2_24h: 20 }, { version: '2026', report: 'daily' });
    expect([r.aqi, r.primaryPollutants, r.level?.zh]).toEqual([51, ['pm25'], '良']);
    // Rounding half-to-even first stays available as an option for comparison with that practice.
    expect(hj633Iaqi('pm25', 60.4, { version: '2026', roundPm: true })).toMatchObject({ iaqi: 100 });
    expect(hj633Iaqi('pm25', 61.5, { version: '2026', roundPm: true })).toMatchObject({
      concentration: 62,
      iaqi: 102,
    });
    // 2012 uses PM as given.
    expect(hj633Iaqi('pm25', 75.2, { version: '2012' })).toMatchObject({ concentration: 75.2, iaqi: 101 });
  });
});

describe('HJ 633 rules above the table, per version', () => {
  it('2012: SO2 1-hour above 800 uses the SO2 24-hour IAQI', () => {
    const sub = hj633Iaqi('so2_1h', 801, { version: '2012', related: { so2_24h: 300 } });
    // 24-h 300: (150 − 100)/(475 − 150) × 150 + 100 = 123.08 → 124
    expect(sub).toMatchObject({ iaqi: 124, rule: 'above-table-uses-other-measure' });
    expect(hj633Iaqi('so2_1h', 800, { version: '2012' }).iaqi).toBe(200);
  });

  it('2012: without the 24-hour value the SO2 IAQI cannot be given', () => {
    const r = computeHj633Aqi({ so2_1h: 900, pm25: 40 }, { version: '2012', report: 'hourly' });
    expect(r.subIndices.find((s) => s.measure === 'so2_1h')).toMatchObject({
      iaqi: null,
      rule: 'above-table-no-fallback',
    });
    expect(r.aqi).toBe(57); // PM2.5 alone: 56.25 → 57
  });

  it('2026: SO2 1-hour above 800 is IAQI 200, whatever the 24-hour value', () => {
    expect(hj633Iaqi('so2_1h', 801, { version: '2026' })).toMatchObject({
      iaqi: 200,
      rule: 'above-table-fixed',
    });
    expect(hj633Iaqi('so2_1h', 5000, { version: '2026', related: { so2_24h: 2000 } }).iaqi).toBe(200);
  });

  it('2012: O3 8-hour above 800 uses the O3 1-hour IAQI', () => {
    // 1-h 900: (400 − 300)/(1000 − 800) × 100 + 300 = 350
    expect(hj633Iaqi('o3_8h', 801, { version: '2012', related: { o3_1h: 900 } })).toMatchObject({
      iaqi: 350,
      rule: 'above-table-uses-other-measure',
    });
    expect(hj633Iaqi('o3_8h', 801, { version: '2012' }).iaqi).toBeNull();
    expect(hj633Iaqi('o3_8h', 800, { version: '2012' }).iaqi).toBe(300);
  });

  it('2026: O3 8-hour above 800 is IAQI 300', () => {
    expect(hj633Iaqi('o3_8h', 801, { version: '2026', related: { o3_1h: 1100 } })).toMatchObject({
      iaqi: 300,
      rule: 'above-table-fixed',
    });
  });

  it('caps other columns at 500 above their last node and says so', () => {
    expect(hj633Iaqi('pm10', 700, { version: '2012' })).toMatchObject({
      iaqi: 500,
      rule: 'above-scale-capped',
    });
    expect(hj633Iaqi('pm10', 600, { version: '2012' }).rule).toBeUndefined();
  });
});

describe('HJ 633 AQI, levels and primary pollutants', () => {
  it.each(fixture.levels.flatMap((l) => [l.aqi[0], l.aqi[1]].map((aqi) => ({ ...l, aqi }))))(
    'AQI $aqi is $zh / $en ($colour)',
    ({ aqi, zh, en, colour }) => {
      expect(hj633Level(aqi)).toMatchObject({ zh, en, colour });
    },
  );

  it('names no primary pollutant at AQI 50 or below', () => {
    const r = computeHj633Aqi({ pm25: 35, no2_24h: 20 }, { version: '2012', report: 'daily' });
    expect(r.aqi).toBe(50);
    expect(r.primaryPollutants).toEqual([]);
  });

  it('lists every pollutant tied at the AQI', () => {
    const r = computeHj633Aqi(
      { pm25: 35.8, no2_24h: 40.8, so2_24h: 10 },
      { version: '2012', report: 'daily' },
    );
    expect(r.aqi).toBe(51);
    expect(r.level?.zh).toBe('良');
    expect(r.primaryPollutants).toEqual(['no2_24h', 'pm25']);
  });

  it('reports non-attainment pollutants (IAQI > 100) under 2012 only', () => {
    const input = { pm25: 80, pm10: 160, o3_8h: 100 };
    expect(computeHj633Aqi(input, { version: '2012', report: 'daily' }).nonAttainmentPollutants).toEqual([
      'pm10',
      'pm25',
    ]);
    expect(computeHj633Aqi(input, { version: '2026', report: 'daily' }).nonAttainmentPollutants).toEqual([]);
  });

  it('keeps fallback-only measures out of an hourly AQI', () => {
    const r = computeHj633Aqi({ so2_1h: 100, so2_24h: 400 }, { version: '2012', report: 'hourly' });
    expect(r.subIndices.find((s) => s.measure === 'so2_24h')?.counted).toBe(false);
    expect(r.aqi).toBe(34); // from SO2 1-h 100: 33.3 → 34, not from the 24-h mean
    expect(computeHj633Aqi({ so2_1h: 100, so2_24h: 400 }, { version: '2012' }).aqi).toBe(139);
  });

  it('chooses the version by the Asia/Shanghai date when none is requested', () => {
    const lastOld = Date.parse('2026-02-28T15:59:59Z'); // 23:59:59 in Zhengzhou
    const firstNew = Date.parse('2026-02-28T16:00:00Z'); // 00:00 on 1 March in Zhengzhou
    expect(hj633VersionFor(lastOld)).toBe('2012');
    expect(hj633VersionFor(firstNew)).toBe('2026');
    expect(computeHj633Aqi({ pm25: 70 }, { observedAt: lastOld }).aqi).toBe(94);
    expect(computeHj633Aqi({ pm25: 70 }, { observedAt: firstNew }).aqi).toBe(110); // 109.09 → 110
    expect(() => computeHj633Aqi({ pm25: 70 })).toThrow(/version or the observation time/);
  });
});

describe('HJ 633 properties', () => {
  const measureAndVersion = fc.tuple(fc.constantFrom(...HJ633_VERSIONS), fc.constantFrom(...HJ633_MEASURES));

  it('IAQI never falls as the concentration rises (within each column)', () => {
    fc.assert(
      fc.property(
        measureAndVersion,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        ([version, measure], a, b, roundPm) => {
          const nodes = HJ633_TABLES[version].breakpoints[measure];
          const top = nodes[nodes.length - 1] ?? 0;
          const [lo, hi] = a <= b ? [a * top, b * top] : [b * top, a * top];
          const iLo = hj633Iaqi(measure, lo, { version, roundPm }).iaqi ?? -1;
          const iHi = hj633Iaqi(measure, hi, { version, roundPm }).iaqi ?? -1;
          expect(iLo).toBeLessThanOrEqual(iHi);
        },
      ),
    );
  });

  it('is continuous: the raw index meets itself at every node', () => {
    for (const version of HJ633_VERSIONS) {
      for (const measure of HJ633_MEASURES) {
        const segments = nodesToSegments(HJ633_TABLES[version].breakpoints[measure], fixture.iaqi);
        for (let k = 1; k < segments.length; k++) {
          const left = segments[k - 1];
          const right = segments[k];
          if (!left || !right) continue;
          expect(interpolate(left, left.cHi)).toBeCloseTo(interpolate(right, right.cLo), 9);
        }
      }
    }
  });

  it('AQI is the maximum counted IAQI', () => {
    fc.assert(
      fc.property(
        fc.record({
          pm25: fc.double({ min: 0, max: 500, noNaN: true }),
          o3_8h: fc.double({ min: 0, max: 800, noNaN: true }),
        }),
        (input) => {
          const r = computeHj633Aqi(input, { version: '2026', report: 'daily' });
          expect(r.aqi).toBe(Math.max(...r.subIndices.map((s) => s.iaqi ?? 0)));
        },
      ),
    );
  });
});
