import type { TableSource, Uncertainty } from './pollutants.ts';

/**
 * China AQI tables of HJ 633-2012 and HJ 633-2026: Table 1 (IAQI breakpoints and its notes (a) and
 * (b)) and Table 2 (AQI levels and categories). Units µg/m³, CO mg/m³. Concentration nodes line up with IAQI_NODES; a column that
 * stops early (SO2 1-h, O3 8-h) has a rule for what lies above it.
 */
export const HJ633_VERSIONS = ['2012', '2026'] as const;
export type Hj633Version = (typeof HJ633_VERSIONS)[number];

/**
 * What an IAQI is computed from. PM has one column (24-hour breakpoints) used with 24-hour means in
 * daily reports and with 1-hour means in real-time reports (the practice of China's national
 * real-time publishing platform, CNEMC).
 */
export const HJ633_MEASURES = [
  'so2_24h',
  'so2_1h',
  'no2_24h',
  'no2_1h',
  'pm10',
  'co_24h',
  'co_1h',
  'o3_1h',
  'o3_8h',
  'pm25',
] as const;
export type Hj633Measure = (typeof HJ633_MEASURES)[number];

export const HJ633_MEASURE_POLLUTANT = {
  so2_24h: 'so2',
  so2_1h: 'so2',
  no2_24h: 'no2',
  no2_1h: 'no2',
  pm10: 'pm10',
  co_24h: 'co',
  co_1h: 'co',
  o3_1h: 'o3',
  o3_8h: 'o3',
  pm25: 'pm25',
} as const satisfies Record<Hj633Measure, string>;

export const IAQI_NODES: readonly number[] = [0, 50, 100, 150, 200, 300, 400, 500];

/** What to do with a concentration above the last node of a column that stops early. */
export type AboveTableRule =
  | { readonly kind: 'use-measure'; readonly measure: Hj633Measure }
  | { readonly kind: 'fixed'; readonly iaqi: number };

export interface Hj633Table {
  readonly version: Hj633Version;
  readonly name: string;
  /** First day in force (Asia/Shanghai); the previous version applies before it. */
  readonly validFrom?: string;
  readonly validTo?: string;
  readonly breakpoints: Readonly<Record<Hj633Measure, readonly number[]>>;
  readonly aboveTable: { readonly so2_1h: AboveTableRule; readonly o3_8h: AboveTableRule };
  /** PM concentrations rounded before lookup ('none' = used as given). */
  readonly pmRounding: 'none' | 'half-even-integer';
  /** IAQI above which a pollutant is a non-attainment pollutant (超标污染物); null when removed. */
  readonly nonAttainmentAbove: number | null;
  readonly source: TableSource;
  readonly uncertainties: readonly Uncertainty[];
}

// Columns identical in both versions (Table 1).
const SHARED_COLUMNS = {
  so2_24h: [0, 50, 150, 475, 800, 1600, 2100, 2620],
  so2_1h: [0, 150, 500, 650, 800],
  no2_24h: [0, 40, 80, 180, 280, 565, 750, 940],
  no2_1h: [0, 100, 200, 700, 1200, 2340, 3090, 3840],
  co_24h: [0, 2, 4, 14, 24, 36, 48, 60],
  co_1h: [0, 5, 10, 35, 60, 90, 120, 150],
  o3_1h: [0, 160, 200, 300, 400, 800, 1000, 1200],
  o3_8h: [0, 100, 160, 215, 265, 800],
} as const;

/** HJ 633-2012 (in force until 2026-02-28). Full table: hrbonz/python-aqi `aqi/algos/mep.py`. */
const HJ633_2012: Hj633Table = {
  version: '2012',
  name: 'HJ 633-2012 Technical Regulation on Ambient Air Quality Index (on trial)',
  validTo: '2026-02-28',
  breakpoints: {
    ...SHARED_COLUMNS,
    pm10: [0, 50, 150, 250, 350, 420, 500, 600],
    pm25: [0, 35, 75, 115, 150, 250, 350, 500],
  },
  // Table 1 notes (a) and (b).
  aboveTable: {
    so2_1h: { kind: 'use-measure', measure: 'so2_24h' },
    o3_8h: { kind: 'use-measure', measure: 'o3_1h' },
  },
  pmRounding: 'none',
  nonAttainmentAbove: 100,
  source: {
    reference: 'HJ 633-2012 Table 1 (IAQI breakpoints), Table 2 (levels)',
    documents: ['HJ 633-2012', 'hrbonz/python-aqi aqi/algos/mep.py'],
    urls: ['https://github.com/hrbonz/python-aqi'],
    confidence: 'verified',
  },
  uncertainties: [],
};

/** HJ 633-2026 (in force from 2026-03-01): PM 100-step tightened to 120 / 60 µg/m³. */
const HJ633_2026: Hj633Table = {
  version: '2026',
  name: 'HJ 633-2026 Technical Regulation on Ambient Air Quality Index',
  validFrom: '2026-03-01',
  breakpoints: {
    ...SHARED_COLUMNS,
    pm10: [0, 50, 120, 250, 350, 420, 500, 600],
    pm25: [0, 35, 60, 115, 150, 250, 350, 500],
  },
  aboveTable: {
    so2_1h: { kind: 'fixed', iaqi: 200 },
    o3_8h: { kind: 'fixed', iaqi: 300 },
  },
  // HJ 633-2026 gives no rounding of concentrations before the lookup; only IAQI and AQI are rounded
  // up (进位取整). Rounding PM to integers first is one implementation's choice, available as an option.
  pmRounding: 'none',
  nonAttainmentAbove: null,
  source: {
    reference: 'HJ 633-2026 Table 1 (IAQI breakpoints), Table 2 (levels)',
    documents: ['HJ 633—2026 (MEE, 2026-02)', 'caiyunapp/aqi-hub src/cn.rs', 'moonaqi README'],
    urls: ['https://www.mee.gov.cn/ywgz/fgbz/bz/bzwb/jcffbz/202602/W020260225366493492011.pdf'],
    confidence: 'verified',
  },
  uncertainties: [
    {
      what: 'PM concentrations are looked up as measured, not rounded to integers first',
      why: 'one open-source implementation rounds PM to integers (half-to-even, GB/T 8170) before the lookup; we found no such rule in the text of HJ 633-2026, which rounds only the IAQI and AQI up',
    },
    {
      what: 'official PDF not read',
      why: 'the breakpoints were checked against three independent transcriptions of the standard, not against the official PDF',
    },
  ],
};

export const HJ633_TABLES: Readonly<Record<Hj633Version, Hj633Table>> = Object.freeze({
  '2012': HJ633_2012,
  '2026': HJ633_2026,
});

/**
 * Which measures make up each report's AQI. Measures listed as fallbacks only feed the above-table
 * rules; measures in neither list are not part of the report and are ignored.
 * HJ 633-2012, clause on the daily report (日报): it has seven indicators — SO2, NO2, PM10, PM2.5 and CO 24-hour
 * means, O3 daily maximum 1-hour mean and O3 daily maximum 8-hour running mean; the real-time report
 * (实时报) takes 1-hour means and the O3 8-hour running mean.
 * HJ 633-2026: we count O3 in the daily report as the daily maximum 8-hour running mean only. Its
 * Table 1 note (b) fixes the IAQI at 300 above 800 µg/m³ instead of falling back to the 1-hour value
 * as HJ 633-2012 did, which a daily report keeping the 1-hour maximum would not need (see the
 * uncertainty below: the 2026 clause itself was not read).
 */
export const HJ633_REPORT_IDS = ['hourly', 'daily'] as const;
export type Hj633Report = (typeof HJ633_REPORT_IDS)[number];

export interface Hj633ReportMeasures {
  readonly counted: readonly Hj633Measure[];
  readonly fallbacks: readonly Hj633Measure[];
}

const HOURLY_REPORT: Hj633ReportMeasures = {
  counted: ['so2_1h', 'no2_1h', 'pm10', 'co_1h', 'o3_1h', 'o3_8h', 'pm25'],
  fallbacks: ['so2_24h'],
};

export const HJ633_REPORTS: Readonly<
  Record<Hj633Version, Readonly<Record<Hj633Report, Hj633ReportMeasures>>>
> = {
  '2012': {
    hourly: HOURLY_REPORT,
    daily: { counted: ['so2_24h', 'no2_24h', 'pm10', 'co_24h', 'o3_1h', 'o3_8h', 'pm25'], fallbacks: [] },
  },
  '2026': {
    hourly: HOURLY_REPORT,
    daily: { counted: ['so2_24h', 'no2_24h', 'pm10', 'co_24h', 'o3_8h', 'pm25'], fallbacks: [] },
  },
};

export const HJ633_REPORT_UNCERTAINTIES: Readonly<Record<Hj633Version, readonly Uncertainty[]>> = {
  '2012': [
    {
      what: 'O3 8-hour running mean in the real-time (hourly) report',
      why: 'HJ 633-2012 lists it among the real-time indicators; we let it enter the hourly AQI like the other indicators',
    },
  ],
  '2026': [
    {
      what: 'O3 in the daily report: only the daily maximum 8-hour running mean counts',
      why: 'the clause of HJ 633-2026 listing the daily indicators was not available to us; we infer it from Table 1 note (b) of HJ 633-2026, which no longer falls back to the 1-hour value above 800 µg/m³. HJ 633-2012 (daily report clause, 日报) counted the daily maximum 1-hour mean too',
    },
    {
      what: 'O3 8-hour running mean in the real-time (hourly) report',
      why: 'we let it enter the hourly AQI as under HJ 633-2012',
    },
  ],
};

export interface Hj633Level {
  readonly level: number;
  readonly roman: string;
  readonly min: number;
  /** Upper AQI of the level; Infinity for level VI. */
  readonly max: number;
  readonly zh: string;
  readonly en: string;
  readonly colourZh: string;
  readonly colour: string;
  readonly rgb: readonly [number, number, number];
}

// HJ 633 Table 2 (levels, categories, colours); English names as in MEE English publications.
export const HJ633_LEVELS: readonly Hj633Level[] = [
  {
    level: 1,
    roman: 'I',
    min: 0,
    max: 50,
    zh: '优',
    en: 'Excellent',
    colourZh: '绿色',
    colour: '#00E400',
    rgb: [0, 228, 0],
  },
  {
    level: 2,
    roman: 'II',
    min: 51,
    max: 100,
    zh: '良',
    en: 'Good',
    colourZh: '黄色',
    colour: '#FFFF00',
    rgb: [255, 255, 0],
  },
  {
    level: 3,
    roman: 'III',
    min: 101,
    max: 150,
    zh: '轻度污染',
    en: 'Lightly polluted',
    colourZh: '橙色',
    colour: '#FF7E00',
    rgb: [255, 126, 0],
  },
  {
    level: 4,
    roman: 'IV',
    min: 151,
    max: 200,
    zh: '中度污染',
    en: 'Moderately polluted',
    colourZh: '红色',
    colour: '#FF0000',
    rgb: [255, 0, 0],
  },
  {
    level: 5,
    roman: 'V',
    min: 201,
    max: 300,
    zh: '重度污染',
    en: 'Heavily polluted',
    colourZh: '紫色',
    colour: '#99004C',
    rgb: [153, 0, 76],
  },
  {
    level: 6,
    roman: 'VI',
    min: 301,
    max: Number.POSITIVE_INFINITY,
    zh: '严重污染',
    en: 'Severely polluted',
    colourZh: '褐红色',
    colour: '#7E0023',
    rgb: [126, 0, 35],
  },
];

/** AQI above which the primary pollutant (首要污染物) is named (HJ 633 clause on 首要污染物). */
export const HJ633_PRIMARY_POLLUTANT_ABOVE = 50;
