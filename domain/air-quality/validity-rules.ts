import type { TableSource, Uncertainty } from './pollutants.ts';

/**
 * Data-coverage (validity) rules per family of standards, as data. Each is cited from the public
 * text it comes from, and its uncertainties say where it rests on an implementation or on memory.
 */

/** Which 8-hour running means belong to a local day, and how many make its maximum valid. */
export interface EightHourRule {
  /** Assign a window to the day of its last hour ('last-hour') or of its first hour ('first-hour'). */
  readonly anchor: 'last-hour' | 'first-hour';
  /** Local hour-of-day range (inclusive) of the anchor hour. */
  readonly fromLocalHour: number;
  readonly toLocalHour: number;
  readonly minHoursPerWindow: number;
  readonly minValidWindows: number;
}

export type YearCoverageRule =
  | { readonly kind: 'fraction'; readonly minFraction: number }
  | {
      readonly kind: 'days-per-year-and-month';
      readonly minDaysPerYear: number;
      readonly minDaysPerMonth: number;
      readonly minDaysFebruary: number;
    };

export interface ValidityRules {
  readonly id: 'eu' | 'china' | 'epa' | 'who';
  /** Share of the hour a valid one-hour value must cover (0.75: 45 minutes). */
  readonly hourMinShare: number;
  /** Hourly values a valid 24-hour (daily) mean needs. */
  readonly dailyMinHours: number;
  /** Where `dailyMinHours` comes from: the published rule (name, annex or table), cited. */
  readonly dailyMinHoursSource: string;
  /** Hourly values a valid 24-hour running mean needs. */
  readonly runningMean24hMinHours: number;
  readonly dailyMax8h: EightHourRule;
  /** Coverage of a year (or a period) for annual means and exceedance counts. */
  readonly yearCoverage: YearCoverageRule;
  /** EU ozone: exceedance counts per year need enough valid summer months. */
  readonly ozoneSummer?: {
    readonly months: readonly number[];
    readonly minMonths: number;
    readonly minDaysPerMonth: number;
  };
  readonly source: TableSource;
  readonly uncertainties: readonly Uncertainty[];
}

/**
 * Directive 2008/50/EC Annex XI (and Annex VII for ozone): one-hour values 75 % (45 minutes), 24-hour values
 * 75 % of hours (at least 18), 8-hour values 6 of 8 hours, maximum daily 8-hour mean 75 % of the
 * running means (18 per day), each 8-hour mean assigned to the day on which it ends (17:00–01:00
 * is the first, 16:00–24:00 the last); Annex I minimum data capture 90 %; ozone exceedances per
 * year need five of the six summer months (April–September), each with 27 daily maxima.
 */
export const EU_VALIDITY: ValidityRules = {
  id: 'eu',
  hourMinShare: 0.75,
  dailyMinHours: 18,
  dailyMinHoursSource: 'Directive 2008/50/EC, Annex XI, section A',
  runningMean24hMinHours: 18,
  dailyMax8h: {
    anchor: 'last-hour',
    fromLocalHour: 0,
    toLocalHour: 23,
    minHoursPerWindow: 6,
    minValidWindows: 18,
  },
  yearCoverage: { kind: 'fraction', minFraction: 0.9 },
  ozoneSummer: { months: [4, 5, 6, 7, 8, 9], minMonths: 5, minDaysPerMonth: 27 },
  source: {
    reference: 'Directive 2008/50/EC Annex VII §2 (8-hour maxima), Annex XI (aggregation and validity)',
    documents: ['Directive 2008/50/EC Annex I, Annex VII §2, Annex XI'],
    urls: ['https://legislation.gov.uk/eudr/2008/50/annex/VII/division/A/division/2'],
    confidence: 'verified',
  },
  uncertainties: [
    {
      what: 'Directive (EU) 2024/2881 coverage rules',
      why: 'not checked in the text of Directive (EU) 2024/2881; assumed unchanged from 2008/50/EC',
    },
    {
      what: '23- and 25-hour days',
      why: 'the Directive counts hours ("at least 18"), so the same counts apply on DST change days',
    },
  ],
};

/**
 * GB 3095-2012 Table 4 (数据统计的有效性规定): one-hour value ≥ 45 minutes of sampling in the hour;
 * 24-hour mean ≥ 20 hourly values; 8-hour mean ≥ 6
 * hourly values; annual ≥ 324 daily means, ≥ 27 per month (25 in February). HJ 663-2013: the
 * daily maximum 8-hour mean is taken over the 8-hour means ending 08:00–24:00 of the day.
 */
export const CHINA_VALIDITY: ValidityRules = {
  id: 'china',
  hourMinShare: 0.75,
  dailyMinHours: 20,
  dailyMinHoursSource: 'GB 3095-2012, Table 4',
  runningMean24hMinHours: 20,
  dailyMax8h: {
    anchor: 'last-hour',
    fromLocalHour: 7,
    toLocalHour: 23,
    minHoursPerWindow: 6,
    minValidWindows: 14,
  },
  yearCoverage: {
    kind: 'days-per-year-and-month',
    minDaysPerYear: 324,
    minDaysPerMonth: 27,
    minDaysFebruary: 25,
  },
  source: {
    reference: 'GB 3095-2012 Table 4 (data validity); HJ 663-2013 (daily maximum 8-hour mean)',
    documents: ['GB 3095-2012 Table 4', 'HJ 663-2013'],
    urls: ['https://www.mee.gov.cn/ywgz/fgbz/bz/bzwb/dqhjbh/dqhjzlbz/202602/t20260225_1144419.shtml'],
    confidence: 'impl',
  },
  uncertainties: [
    {
      what: '14 valid 8-hour means for a valid daily maximum',
      why: 'HJ 663-2013, from memory; the 20-hour, 6-hour and 324/27/25-day rules are quoted by a public repository',
    },
    {
      what: 'one-hour values need 45 minutes of sampling',
      why: 'GB 3095-2012 Table 4 as remembered, not read in the text; the same share as the EU rule',
    },
    {
      what: 'GB 3095-2026 coverage rules',
      why: 'not checked in the text of GB 3095—2026; assumed unchanged from GB 3095-2012 Table 4',
    },
  ],
};

/**
 * US EPA daily AQI (AirNowTech forum "Daily and Hourly AQI – Ozone" / "– Other Pollutants"): daily
 * ozone = maximum of the 17 8-hour means beginning 07:00–23:00, each needing 6 of 8 hours, 13 of 17
 * needed; daily means need 18 of 24 hours.
 */
export const EPA_VALIDITY: ValidityRules = {
  id: 'epa',
  hourMinShare: 0.75,
  dailyMinHours: 18,
  dailyMinHoursSource: 'AirNowTech forum, Daily and Hourly AQI – Other Pollutants',
  runningMean24hMinHours: 18,
  dailyMax8h: {
    anchor: 'first-hour',
    fromLocalHour: 7,
    toLocalHour: 23,
    minHoursPerWindow: 6,
    minValidWindows: 13,
  },
  yearCoverage: { kind: 'fraction', minFraction: 0.75 },
  source: {
    reference: 'EPA-454/B-24-002 (daily AQI averaging); AirNow guidance on daily and hourly AQI',
    documents: ['AirNowTech forum: Daily and Hourly AQI – Ozone; Daily and Hourly AQI – Other Pollutants'],
    urls: [
      'https://forum.airnowtech.org/t/daily-and-hourly-aqi-ozone/170',
      'https://forum.airnowtech.org/t/daily-and-hourly-aqi-other-pollutants/432',
    ],
    confidence: 'impl',
  },
  uncertainties: [
    { what: 'year coverage', why: 'no EPA AQI rule; 75 % is used only where a year is summarised' },
    {
      what: 'one-hour values need 45 minutes',
      why: 'from memory of EPA AQS practice, not checked in 40 CFR Part 50/58; the EU and China rule is used',
    },
  ],
};

/** WHO 2021 defines no coverage rules; the EU's are used, as the closest published practice. */
export const WHO_VALIDITY: ValidityRules = {
  ...EU_VALIDITY,
  id: 'who',
  uncertainties: [
    { what: 'all coverage rules', why: 'WHO AQG 2021 defines none; Directive 2008/50/EC rules are applied' },
  ],
};
