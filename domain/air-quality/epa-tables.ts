import type { TableSource, Uncertainty } from './pollutants.ts';
import type { Segment } from './sub-index.ts';

/**
 * US EPA AQI breakpoints, 2024 revision (valid from 2024-05-06), encoded from EPA-454/B-24-002
 * ("Breakpoints for the AQI" table; the same table is in 40 CFR Part 58 Appendix G). Concentrations in the EPA's own units; rows are
 * disjoint after truncation (9.0 | 9.1), so a truncated concentration lands in exactly one row.
 */
export const EPA_VERSIONS = ['2018', '2024'] as const;
export type EpaVersion = (typeof EPA_VERSIONS)[number];

/** PM as 24-hour means (daily) or NowCast (hourly); gases on their own averaging. */
export const EPA_MEASURES = [
  'pm25',
  'pm10',
  'o3_8h',
  'o3_1h',
  'co_8h',
  'so2_1h',
  'so2_24h',
  'no2_1h',
] as const;
export type EpaMeasure = (typeof EPA_MEASURES)[number];

export const EPA_MEASURE_POLLUTANT = {
  pm25: 'pm25',
  pm10: 'pm10',
  o3_8h: 'o3',
  o3_1h: 'o3',
  co_8h: 'co',
  so2_1h: 'so2',
  so2_24h: 'so2',
  no2_1h: 'no2',
} as const satisfies Record<EpaMeasure, string>;

export type EpaUnit = 'µg/m³' | 'ppm' | 'ppb';

export interface EpaColumn {
  readonly unit: EpaUnit;
  /** Decimals the concentration is truncated to before lookup (EPA-454/B-24-002, AQI equation). */
  readonly truncateDecimals: number;
  readonly rows: readonly Segment[];
}

export interface EpaTable {
  readonly version: EpaVersion;
  readonly name: string;
  /** First local day the table applies to; absent for the oldest table encoded. */
  readonly validFrom?: string;
  readonly validTo?: string;
  readonly columns: Readonly<Record<EpaMeasure, EpaColumn>>;
  readonly source: TableSource;
  readonly uncertainties: readonly Uncertainty[];
}

function rows(...r: readonly [number, number, number, number][]): Segment[] {
  return r.map(([cLo, cHi, iLo, iHi]) => ({ cLo, cHi, iLo, iHi }));
}

const EPA_2024: EpaTable = {
  version: '2024',
  name: 'US EPA Air Quality Index (TAD EPA-454/B-24-002, May 2024)',
  validFrom: '2024-05-06',
  columns: {
    pm25: {
      unit: 'µg/m³',
      truncateDecimals: 1,
      rows: rows(
        [0.0, 9.0, 0, 50],
        [9.1, 35.4, 51, 100],
        [35.5, 55.4, 101, 150],
        [55.5, 125.4, 151, 200],
        [125.5, 225.4, 201, 300],
        [225.5, 325.4, 301, 500],
      ),
    },
    pm10: {
      unit: 'µg/m³',
      truncateDecimals: 0,
      rows: rows(
        [0, 54, 0, 50],
        [55, 154, 51, 100],
        [155, 254, 101, 150],
        [255, 354, 151, 200],
        [355, 424, 201, 300],
        [425, 604, 301, 500],
      ),
    },
    // 8-hour O3 does not define AQI ≥ 301: above 0.200 ppm the 1-hour value is used.
    o3_8h: {
      unit: 'ppm',
      truncateDecimals: 3,
      rows: rows(
        [0.0, 0.054, 0, 50],
        [0.055, 0.07, 51, 100],
        [0.071, 0.085, 101, 150],
        [0.086, 0.105, 151, 200],
        [0.106, 0.2, 201, 300],
      ),
    },
    // 1-hour O3 starts at AQI 101 (the table is blank below 0.125 ppm).
    o3_1h: {
      unit: 'ppm',
      truncateDecimals: 3,
      rows: rows(
        [0.125, 0.164, 101, 150],
        [0.165, 0.204, 151, 200],
        [0.205, 0.404, 201, 300],
        [0.405, 0.604, 301, 500],
      ),
    },
    co_8h: {
      unit: 'ppm',
      truncateDecimals: 1,
      rows: rows(
        [0.0, 4.4, 0, 50],
        [4.5, 9.4, 51, 100],
        [9.5, 12.4, 101, 150],
        [12.5, 15.4, 151, 200],
        [15.5, 30.4, 201, 300],
        [30.5, 50.4, 301, 500],
      ),
    },
    // 1-hour SO2 does not define AQI ≥ 201: the 24-hour rows take over above 304 ppb.
    so2_1h: {
      unit: 'ppb',
      truncateDecimals: 0,
      rows: rows([0, 35, 0, 50], [36, 75, 51, 100], [76, 185, 101, 150], [186, 304, 151, 200]),
    },
    so2_24h: {
      unit: 'ppb',
      truncateDecimals: 0,
      rows: rows([305, 604, 201, 300], [605, 1004, 301, 500]),
    },
    no2_1h: {
      unit: 'ppb',
      truncateDecimals: 0,
      rows: rows(
        [0, 53, 0, 50],
        [54, 100, 51, 100],
        [101, 360, 101, 150],
        [361, 649, 151, 200],
        [650, 1249, 201, 300],
        [1250, 2049, 301, 500],
      ),
    },
  },
  source: {
    reference: 'EPA-454/B-24-002, "Breakpoints for the AQI" table (40 CFR Part 58 Appendix G)',
    documents: [
      'EPA Technical Assistance Document EPA-454/B-24-002 (May 2024)',
      'AirNowTech forum: The AQI Equation (2024 – valid beginning May 6th, 2024)',
    ],
    urls: [
      'https://nepis.epa.gov/Exe/ZyPURL.cgi?Dockey=P101AP0Q.txt',
      'https://forum.airnowtech.org/t/the-aqi-equation-2024-valid-beginning-may-6th-2024/453',
    ],
    confidence: 'verified',
  },
  uncertainties: [
    {
      what: 'truncation of CO (0.1 ppm) and SO2/NO2 (1 ppb)',
      why: "the decimals for O3 and PM come from EPA's AirNow guidance; those for CO, SO2 and NO2 come from an open-source implementation, not from the EPA's text",
    },
    {
      what: 'SO2 1-hour above 304 ppb with a 24-hour mean below 305 ppb',
      why: 'the EPA table says only that 24-hour SO2 defines the AQI from 201 up; below 305 ppb of 24-hour SO2 it gives no row, so we hold the index at 200 (the top of the 1-hour table)',
    },
    {
      what: 'concentrations above the last breakpoint ("Beyond the AQI")',
      why: 'EPA calls values above the last breakpoint "Beyond the AQI" and gives no index; like most implementations we report 500 and flag it',
    },
  ],
};

/**
 * The table in force before the 2024 PM2.5 revision: EPA Technical Assistance Document
 * EPA-454/B-18-007 (September 2018), "Breakpoints for the AQI" table. It differs from 2024 in the PM2.5 column (Good up to
 * 12.0 µg/m³, 150.4 and 250.4 at AQI 200 and 300) and splits "Hazardous" into 301–400 and 401–500
 * rows for every pollutant.
 */
/**
 * A 2024 column with its single 301–500 row split as the 2018 table had it: 301–400 up to `mid`,
 * 401–500 from the next truncated value.
 */
function splitHazardous(column: EpaColumn, mid: number): EpaColumn {
  const last = column.rows[column.rows.length - 1];
  if (last?.iLo !== 301) return column;
  const next = mid + 10 ** -column.truncateDecimals;
  const hazardous = rows(
    [last.cLo, mid, 301, 400],
    [Number(next.toFixed(column.truncateDecimals)), last.cHi, 401, 500],
  );
  return { ...column, rows: [...column.rows.slice(0, -1), ...hazardous] };
}

const C = EPA_2024.columns;

const EPA_2018: EpaTable = {
  version: '2018',
  name: 'US EPA Air Quality Index (TAD EPA-454/B-18-007, September 2018)',
  validTo: '2024-05-05',
  columns: {
    ...C,
    pm25: {
      unit: 'µg/m³',
      truncateDecimals: 1,
      rows: rows(
        [0.0, 12.0, 0, 50],
        [12.1, 35.4, 51, 100],
        [35.5, 55.4, 101, 150],
        [55.5, 150.4, 151, 200],
        [150.5, 250.4, 201, 300],
        [250.5, 350.4, 301, 400],
        [350.5, 500.4, 401, 500],
      ),
    },
    pm10: splitHazardous(C.pm10, 504),
    o3_1h: splitHazardous(C.o3_1h, 0.504),
    co_8h: splitHazardous(C.co_8h, 40.4),
    so2_24h: splitHazardous(C.so2_24h, 804),
    no2_1h: splitHazardous(C.no2_1h, 1649),
  },
  source: {
    reference: 'EPA-454/B-18-007, "Breakpoints for the AQI" table',
    documents: ['EPA Technical Assistance Document EPA-454/B-18-007 (September 2018)'],
    urls: [
      'https://www.airnow.gov/sites/default/files/2020-05/aqi-technical-assistance-document-sept2018.pdf',
    ],
    confidence: 'verified',
  },
  uncertainties: EPA_2024.uncertainties,
};

export const EPA_TABLES: Readonly<Record<EpaVersion, EpaTable>> = Object.freeze({
  '2018': EPA_2018,
  '2024': EPA_2024,
});

/** The newest table; used when neither a version nor a date is given. */
export const LATEST_EPA_VERSION: EpaVersion = '2024';

export interface EpaCategory {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly colour: string;
  readonly rgb: readonly [number, number, number];
}

// EPA-454/B-24-002, AQI categories and colours. Hazardous is one 301–500 category.
export const EPA_CATEGORIES: readonly EpaCategory[] = [
  { name: 'Good', min: 0, max: 50, colour: '#00E400', rgb: [0, 228, 0] },
  { name: 'Moderate', min: 51, max: 100, colour: '#FFFF00', rgb: [255, 255, 0] },
  { name: 'Unhealthy for Sensitive Groups', min: 101, max: 150, colour: '#FF7E00', rgb: [255, 126, 0] },
  { name: 'Unhealthy', min: 151, max: 200, colour: '#FF0000', rgb: [255, 0, 0] },
  { name: 'Very Unhealthy', min: 201, max: 300, colour: '#8F3F97', rgb: [143, 63, 151] },
  { name: 'Hazardous', min: 301, max: 500, colour: '#7E0023', rgb: [126, 0, 35] },
];
