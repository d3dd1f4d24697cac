import { describe, expect, it } from 'vitest';
import { computeEpaAqi } from '../../../domain/air-quality/epa.ts';
import { EPA_TABLES } from '../../../domain/air-quality/epa-tables.ts';

/**
 * The table in force before 2024-05-06 (EPA-454/B-18-007, "Breakpoints for the AQI"), checked
 * against what the 2024 revision says it changed (EPA-454/B-24-002 and the AirNowTech note "The AQI
 * Equation (2024 – valid beginning May 6th, 2024)"): only PM2.5 moved — the Good upper breakpoint
 * from 12.0 to 9.0 µg/m³, the Unhealthy and Very Unhealthy upper breakpoints from 150.4 and 250.4
 * to 125.4 and 225.4 — and the two Hazardous rows (301–400, 401–500) became one.
 */
const pm25 = (value: number) => computeEpaAqi({ pm25: value }, { version: '2018' }).aqi;

describe('EPA AQI before 2024-05-06 (EPA-454/B-18-007)', () => {
  it('PM2.5: Good up to 12.0 µg/m³, Unhealthy up to 150.4, Very Unhealthy up to 250.4', () => {
    expect([pm25(12.0), pm25(12.1)]).toEqual([50, 51]);
    expect([pm25(35.4), pm25(35.5)]).toEqual([100, 101]);
    expect([pm25(55.4), pm25(55.5)]).toEqual([150, 151]);
    expect([pm25(150.4), pm25(150.5)]).toEqual([200, 201]);
    expect([pm25(250.4), pm25(250.5)]).toEqual([300, 301]);
    // The same concentrations on the 2024 table: the revision's new breakpoints.
    const pm25in2024 = (value: number) => computeEpaAqi({ pm25: value }, { version: '2024' }).aqi;
    expect([pm25in2024(9.0), pm25in2024(125.4), pm25in2024(225.4)]).toEqual([50, 200, 300]);
  });

  it('every other pollutant has the 2024 breakpoints below the Hazardous category', () => {
    const old = EPA_TABLES['2018'].columns;
    const current = EPA_TABLES['2024'].columns;
    for (const [measure, column] of Object.entries(current)) {
      if (measure === 'pm25') continue;
      const below = (rows: readonly { iLo: number }[]) => rows.filter((r) => r.iLo < 301);
      expect(below(old[measure as keyof typeof old].rows), measure).toEqual(below(column.rows));
    }
  });
});
