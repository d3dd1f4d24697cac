import type { TableSource, Uncertainty } from './pollutants.ts';

/**
 * European Air Quality Index (EEA) band tables, one per version, encoded from the EEA's published
 * band tables (cited per version below). Each band is (lo, hi]: a value equal to an upper
 * bound belongs to that band; the last band is open-ended.
 */
export const EAQI_VERSIONS = ['2024', 'classic', '2017'] as const;
export type EaqiVersion = (typeof EAQI_VERSIONS)[number];
export const DEFAULT_EAQI_VERSION: EaqiVersion = '2024';

export const EAQI_POLLUTANTS = ['pm25', 'pm10', 'no2', 'o3', 'so2'] as const;
export type EaqiPollutant = (typeof EAQI_POLLUTANTS)[number];

/** Hourly values, or the 24-hour running mean ending with the hour (classic PM). */
export type EaqiAveraging = '1h' | '24h-running';

export interface EaqiLevel {
  /** 1 (best) … 6 (worst); the 2017 index has five levels. */
  readonly index: number;
  readonly name: string;
  readonly colour: string;
}

export interface EaqiPollutantBands {
  readonly averaging: EaqiAveraging;
  /** Upper bounds of every level but the last, µg/m³. */
  readonly upperBounds: readonly number[];
  /** Where the published scale stops (the last band's printed upper end), if it gives one. */
  readonly scaleTop?: number;
}

export interface EaqiTable {
  readonly version: EaqiVersion;
  readonly name: string;
  readonly levels: readonly EaqiLevel[];
  readonly pollutants: Readonly<Record<EaqiPollutant, EaqiPollutantBands>>;
  readonly source: TableSource;
  readonly uncertainties: readonly Uncertainty[];
}

// Names and colours as the EEA's index viewer shows them (confirmed by two open-source implementations).
const SIX_LEVELS: readonly EaqiLevel[] = [
  { index: 1, name: 'Good', colour: '#50F0E6' },
  { index: 2, name: 'Fair', colour: '#50CCAA' },
  { index: 3, name: 'Moderate', colour: '#F0E641' },
  { index: 4, name: 'Poor', colour: '#FF5050' },
  { index: 5, name: 'Very poor', colour: '#960032' },
  { index: 6, name: 'Extremely poor', colour: '#7D2181' },
];

const BOUNDARY_RULE: Uncertainty = {
  what: 'fractional values on a band boundary',
  why: 'the EEA publishes integer ranges (e.g. 0–5, 5–15) and does not say which band a boundary value belongs to; we put a value equal to an upper bound in the lower band, as implementations do',
};

/** Revised EAQI, ETC HE Report 2024/17 — all five pollutants on hourly values. */
const EAQI_2024: EaqiTable = {
  version: '2024',
  name: 'European Air Quality Index, revised bands (ETC HE Report 2024/17)',
  levels: SIX_LEVELS,
  pollutants: {
    pm25: { averaging: '1h', upperBounds: [5, 15, 50, 90, 140] },
    pm10: { averaging: '1h', upperBounds: [15, 45, 120, 195, 270] },
    no2: { averaging: '1h', upperBounds: [10, 25, 60, 100, 150] },
    o3: { averaging: '1h', upperBounds: [60, 100, 120, 160, 180] },
    so2: { averaging: '1h', upperBounds: [20, 40, 125, 190, 275] },
  },
  source: {
    reference: 'ETC HE Report 2024/17, revised EAQI band table',
    documents: ["ETC HE Report 2024/17, EEA's revision of the European Air Quality Index bands"],
    urls: [
      'https://www.eionet.europa.eu/etcs/etc-he/products/etc-he-products/etc-he-reports/etc-he-report-2024-17-eeas-revision-of-the-european-air-quality-index-bands',
      'https://airindex.eea.europa.eu/AQI/index.html',
    ],
    confidence: 'verified',
  },
  uncertainties: [BOUNDARY_RULE],
};

/** Classic six-level EAQI (≈2020/21–2024) — PM on 24-hour running means. */
const EAQI_CLASSIC: EaqiTable = {
  version: 'classic',
  name: 'European Air Quality Index, classic six-level bands (≈2020–2024)',
  levels: SIX_LEVELS,
  pollutants: {
    pm25: { averaging: '24h-running', upperBounds: [10, 20, 25, 50, 75], scaleTop: 800 },
    pm10: { averaging: '24h-running', upperBounds: [20, 40, 50, 100, 150], scaleTop: 1200 },
    no2: { averaging: '1h', upperBounds: [40, 90, 120, 230, 340], scaleTop: 1000 },
    o3: { averaging: '1h', upperBounds: [50, 100, 130, 240, 380], scaleTop: 800 },
    so2: { averaging: '1h', upperBounds: [100, 200, 350, 500, 750], scaleTop: 1250 },
  },
  source: {
    reference: 'EEA European Air Quality Index, six-level band table (2020–2024)',
    documents: ['EEA European Air Quality Index (classic bands)', 'open-meteo EuropeanAirQuality (pre-2026)'],
    urls: ['http://discomap.eea.europa.eu/map/AQI/Viewer/', 'https://airindex.eea.europa.eu/AQI/index.html'],
    confidence: 'verified',
  },
  uncertainties: [
    BOUNDARY_RULE,
    {
      what: 'validity of the PM 24-hour running mean',
      why: 'the EEA states none; averaging.ts uses 18 of 24 hours (75 %, as Directive 2008/50/EC Annex XI for daily means)',
    },
  ],
};

/** Original five-level EAQI (Nov 2017), historic only. */
const EAQI_2017: EaqiTable = {
  version: '2017',
  name: 'European Air Quality Index, original five-level bands (Nov 2017)',
  levels: SIX_LEVELS.slice(0, 5),
  pollutants: {
    pm25: { averaging: '24h-running', upperBounds: [10, 20, 25, 50], scaleTop: 800 },
    pm10: { averaging: '24h-running', upperBounds: [20, 35, 50, 100], scaleTop: 1200 },
    no2: { averaging: '1h', upperBounds: [40, 100, 200, 400], scaleTop: 1000 },
    o3: { averaging: '1h', upperBounds: [80, 120, 180, 240], scaleTop: 600 },
    so2: { averaging: '1h', upperBounds: [100, 200, 350, 500], scaleTop: 1250 },
  },
  source: {
    reference: 'EEA European Air Quality Index, five-level band table (November 2017)',
    documents: ['EEA European Air Quality Index viewer (2017)'],
    urls: ['http://discomap.eea.europa.eu/map/AQI/Viewer/'],
    confidence: 'verified',
  },
  uncertainties: [
    BOUNDARY_RULE,
    {
      what: 'PM averaging of the 2017 index',
      why: 'the 2017 publication gives bands only; 24-hour running means are assumed as in the classic index',
    },
    {
      what: 'level names and colours of the 2017 index',
      why: 'the EEA viewer names Good/Fair/Moderate/Poor/Very poor; colours assumed equal to the first five classic ones',
    },
  ],
};

export const EAQI_TABLES: Readonly<Record<EaqiVersion, EaqiTable>> = Object.freeze({
  '2024': EAQI_2024,
  classic: EAQI_CLASSIC,
  '2017': EAQI_2017,
});
