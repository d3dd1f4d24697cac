import { count, EVENTS, type LimitStandard, limit, MEAN, pct } from './limit-types.ts';
import { EU_VALIDITY } from './validity-rules.ts';

/**
 * Directive 2008/50/EC limit values (Annex XI), target value for ozone (Annex VII) and information
 * and alert thresholds (Annex XII); the NO2/SO2 alert thresholds were not checked against the text.
 */
export const EU_2008: LimitStandard = {
  id: 'eu2008',
  name: 'Directive 2008/50/EC on ambient air quality and cleaner air for Europe',
  grades: [],
  sets: [
    {
      limits: [
        limit('pm10', '24h', 50, 'limit', count(35)),
        limit('pm10', 'annual', 40, 'limit', MEAN),
        limit('pm25', 'annual', 25, 'limit', MEAN, { note: 'stage 1 (2015)' }),
        limit('pm25', 'annual', 20, 'indicative-limit', MEAN, {
          id: 'pm25-annual-stage2',
          note: 'stage 2 (2020), indicative',
        }),
        limit('no2', '1h', 200, 'limit', count(18)),
        limit('no2', 'annual', 40, 'limit', MEAN),
        limit('so2', '1h', 350, 'limit', count(24)),
        limit('so2', '24h', 125, 'limit', count(3)),
        limit('co', '8h-daily-max', 10, 'limit', count(0)),
        limit('o3', '8h-daily-max', 120, 'target', count(25), {
          note: 'the Directive averages the count over 3 years; this is the count for the one period assessed',
        }),
        limit('o3', '1h', 180, 'information-threshold', EVENTS, { id: 'o3-1h-information' }),
        limit('o3', '1h', 240, 'alert-threshold', EVENTS, { id: 'o3-1h-alert' }),
        limit('no2', '3h-consecutive', 400, 'alert-threshold', EVENTS, {
          uncertain:
            'the alert thresholds of Directive 2008/50/EC Annex XII part B (NO2 400, SO2 500 µg/m³ over three consecutive hours) were not checked against the Annex text',
        }),
        limit('so2', '3h-consecutive', 500, 'alert-threshold', EVENTS, {
          uncertain:
            'the alert thresholds of Directive 2008/50/EC Annex XII part B (NO2 400, SO2 500 µg/m³ over three consecutive hours) were not checked against the Annex text',
        }),
      ],
    },
  ],
  validity: EU_VALIDITY,
  source: {
    reference: 'Directive 2008/50/EC Annex VII (ozone), Annex XI (limit values), Annex XII (thresholds)',
    documents: ['Directive 2008/50/EC, Annexes VII, XI, XII', 'EEA indicator pages', 'CHMI limit table'],
    urls: ['https://eur-lex.europa.eu/eli/dir/2008/50/oj'],
    confidence: 'verified',
  },
  uncertainties: [
    {
      what: 'NO2/SO2 alert thresholds (3 consecutive hours)',
      why: 'the alert thresholds of Directive 2008/50/EC Annex XII part B (NO2 400, SO2 500 µg/m³ over three consecutive hours) were not checked against the Annex text',
    },
  ],
};

/**
 * Directive (EU) 2024/2881 (recast) Annex I, values to be attained by 1 January 2030 (checked
 * against two independent summaries of the Official Journal text).
 */
export const EU_2030: LimitStandard = {
  id: 'eu2030',
  name: 'Directive (EU) 2024/2881 (recast), limit values to be attained by 2030',
  grades: [],
  sets: [
    {
      limits: [
        limit('pm25', '24h', 25, 'limit', count(18)),
        limit('pm25', 'annual', 10, 'limit', MEAN),
        limit('pm10', '24h', 45, 'limit', count(18)),
        limit('pm10', 'annual', 20, 'limit', MEAN),
        limit('no2', '1h', 200, 'limit', count(3)),
        limit('no2', '24h', 50, 'limit', count(18)),
        limit('no2', 'annual', 20, 'limit', MEAN),
        limit('so2', '1h', 350, 'limit', count(3)),
        limit('so2', '24h', 50, 'limit', count(18)),
        limit('so2', 'annual', 20, 'limit', MEAN),
        limit('co', '8h-daily-max', 10, 'limit', count(0)),
        limit('co', '24h', 4, 'limit', count(18)),
        limit('o3', '8h-daily-max', 120, 'target', count(18), {
          note: 'averaged over 3 years in the Directive (25 days until 2030)',
        }),
        limit('o3', '8h-daily-max', 100, 'long-term-objective', pct(99), {
          id: 'o3-8h-daily-max-long-term',
          note: '99th percentile (about 3 days a year), to be met by 2050',
        }),
        limit('o3', '1h', 180, 'information-threshold', EVENTS, { id: 'o3-1h-information' }),
      ],
    },
  ],
  validity: EU_VALIDITY,
  source: {
    reference:
      'Directive (EU) 2024/2881 Annex I, Section 1 (limit values to be attained by 2030) and Section 2 (ozone)',
    documents: ['Directive (EU) 2024/2881 Annex I', 'airclim.org summary', 'airwatch pollutant_registry.py'],
    urls: [
      'http://data.europa.eu/eli/dir/2024/2881/oj',
      'https://airclim.org/acidnews/major-step-toward-cleaner-air-eu',
    ],
    confidence: 'verified',
  },
  uncertainties: [
    {
      what: 'years before 2030',
      why: 'the 2008/50/EC values stay in force until then; eu2030 evaluates the 2030 values for any year',
    },
    {
      what: 'new alert/information thresholds of 2024/2881 for PM, NO2, SO2',
      why: 'Directive (EU) 2024/2881 Annex I Section 4 sets them; we have not encoded them because we could not check the values against the text',
    },
  ],
};
