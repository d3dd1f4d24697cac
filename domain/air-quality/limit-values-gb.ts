import {
  count,
  type LimitSet,
  type LimitStandard,
  type LimitValue,
  limit,
  MEAN,
  pct,
} from './limit-types.ts';
import { CHINA_VALIDITY } from './validity-rules.ts';

/**
 * China GB 3095-2012 and GB 3095—2026 concentration limits (Table 1), grades I and II. GB 3095
 * has no allowed exceedance counts: annual compliance (HJ 663-2013) compares percentiles of the
 * daily values with the 24-hour limit — SO2/NO2 98th, PM10/PM2.5/CO 95th, O3 daily max 8-h 90th.
 */
interface GbColumn {
  readonly so2: readonly [annual: number, day: number, hour: number];
  readonly no2: readonly [annual: number, day: number, hour: number];
  readonly co: readonly [day: number, hour: number];
  readonly o3: readonly [mda8: number, hour: number];
  readonly pm10: readonly [annual: number, day: number];
  readonly pm25: readonly [annual: number, day: number];
}

const HOURLY_NOTE = 'no allowed count in GB 3095; HJ 663 annual assessment does not use 1-hour values';

function gbLimits(c: GbColumn): LimitValue[] {
  return [
    limit('so2', 'annual', c.so2[0], 'limit', MEAN),
    limit('so2', '24h', c.so2[1], 'limit', pct(98)),
    limit('so2', '1h', c.so2[2], 'limit', count(0), { note: HOURLY_NOTE }),
    limit('no2', 'annual', c.no2[0], 'limit', MEAN),
    limit('no2', '24h', c.no2[1], 'limit', pct(98)),
    limit('no2', '1h', c.no2[2], 'limit', count(0), { note: HOURLY_NOTE }),
    limit('co', '24h', c.co[0], 'limit', pct(95)),
    limit('co', '1h', c.co[1], 'limit', count(0), { note: HOURLY_NOTE }),
    limit('o3', '8h-daily-max', c.o3[0], 'limit', pct(90)),
    limit('o3', '1h', c.o3[1], 'limit', count(0), { note: HOURLY_NOTE }),
    limit('pm10', 'annual', c.pm10[0], 'limit', MEAN),
    limit('pm10', '24h', c.pm10[1], 'limit', pct(95)),
    limit('pm25', 'annual', c.pm25[0], 'limit', MEAN),
    limit('pm25', '24h', c.pm25[1], 'limit', pct(95)),
  ];
}

const PERCENTILE_SOURCE = {
  what: 'percentile statistics of the annual assessment',
  why: 'HJ 663-2013 assesses a year by percentiles of the daily values (SO2 and NO2 98th, PM10, PM2.5 and CO 95th, O3 daily maximum 8-hour 90th); we took these ranks from an open-source implementation and did not check them against the HJ 663 text',
};

// GB 3095-2012 Table 1.
const GB2012_I: GbColumn = {
  so2: [20, 50, 150],
  no2: [40, 80, 200],
  co: [4, 10],
  o3: [100, 160],
  pm10: [40, 50],
  pm25: [15, 35],
};
const GB2012_II: GbColumn = {
  so2: [60, 150, 500],
  no2: [40, 80, 200],
  co: [4, 10],
  o3: [160, 200],
  pm10: [70, 150],
  pm25: [35, 75],
};

export const GB3095_2012: LimitStandard = {
  id: 'gb3095-2012',
  name: 'GB 3095-2012 Ambient Air Quality Standards',
  grades: ['I', 'II'],
  defaultGrade: 'II',
  sets: [
    { grade: 'I', limits: gbLimits(GB2012_I) },
    { grade: 'II', limits: gbLimits(GB2012_II) },
  ],
  validity: CHINA_VALIDITY,
  source: {
    reference: 'GB 3095-2012 Table 1 (concentration limits); HJ 663-2013 (annual assessment)',
    documents: ['GB 3095-2012 Table 1', 'HJ 663-2013'],
    urls: [
      'http://english.mee.gov.cn/Resources/standards/Air_Environment/quality_standard1/201605/t20160511_337502.shtml',
    ],
    confidence: 'verified',
  },
  uncertainties: [PERCENTILE_SOURCE],
};

// GB 3095—2026 Table 1 and §4.4: transition limits 2026-03-01 → 2030-12-31, final limits from 2031-01-01.
const GB2026: Readonly<Record<'transition' | 'final', Readonly<Record<'I' | 'II', GbColumn>>>> = {
  transition: {
    I: {
      so2: [20, 50, 150],
      no2: [40, 80, 200],
      co: [4, 10],
      o3: [100, 160],
      pm10: [40, 50],
      pm25: [15, 35],
    },
    II: {
      so2: [60, 150, 500],
      no2: [40, 80, 200],
      co: [4, 10],
      o3: [160, 200],
      pm10: [60, 120],
      pm25: [30, 60],
    },
  },
  final: {
    I: {
      so2: [20, 50, 150],
      no2: [30, 50, 200],
      co: [4, 10],
      o3: [100, 160],
      pm10: [20, 50],
      pm25: [10, 25],
    },
    II: {
      so2: [20, 50, 150],
      no2: [30, 50, 200],
      co: [4, 10],
      o3: [160, 200],
      pm10: [50, 100],
      pm25: [25, 50],
    },
  },
};

function gb2026Sets(): LimitSet[] {
  return (['I', 'II'] as const).flatMap((grade) => [
    { grade, phase: 'transition', toYear: 2030, limits: gbLimits(GB2026.transition[grade]) },
    { grade, phase: 'final', fromYear: 2031, limits: gbLimits(GB2026.final[grade]) },
  ]);
}

export const GB3095_2026: LimitStandard = {
  id: 'gb3095-2026',
  name: 'GB 3095—2026 Ambient Air Quality Standards',
  grades: ['I', 'II'],
  defaultGrade: 'II',
  sets: gb2026Sets(),
  validity: CHINA_VALIDITY,
  source: {
    reference: 'GB 3095—2026 Table 1 (concentration limits), §4.4 (transition and final phases)',
    documents: [
      'GB 3095—2026 Table 1 (§4.4 phases)',
      'gb3095_limits.py transcription',
      'independent pytest transcription',
    ],
    urls: ['https://www.mee.gov.cn/ywgz/fgbz/bz/bzwb/dqhjbh/dqhjzlbz/202602/t20260225_1144419.shtml'],
    confidence: 'verified',
  },
  uncertainties: [
    PERCENTILE_SOURCE,
    {
      what: 'official PDF not read',
      why: 'the values come from two independent transcriptions of GB 3095—2026 that agree (a third, contradicting one was discarded), not from the official PDF',
    },
    {
      what: 'years before 2026-03-01',
      why: 'GB 3095-2012 applied then; gb3095-2026 evaluates its transition values for any year up to 2030',
    },
  ],
};
