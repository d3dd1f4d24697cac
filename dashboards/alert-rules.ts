import { stringify } from 'yaml';
import { type City, cityName } from '../domain/cities.ts';
import { DEFAULT_LANG, LANGS, type Lang, type Text } from '../domain/i18n/languages.ts';
import { METRIC_NAMES } from '../domain/i18n/metric-names.ts';
import { METRICS, type MetricId } from '../domain/metrics.ts';
import { homeStandard } from './air-quality-dashboard.ts';
import { dashboardUid } from './city-dashboard.ts';
import { who24hGuideline } from './comparison-dashboard.ts';
import { TEXT } from './dashboard-text.ts';
import { indexScale, standardName } from './index-scales.ts';
import { INFLUX_DATASOURCE_UID } from './influx-datasource.ts';
import { indexMinQuery, rangeMeanQuery, recentReadingsPerDeviceQuery } from './influxql.ts';

/**
 * Grafana alert rules, provisioned from a file (dashboards/provisioning/alerting/), per city:
 * - its home index at level 4 or worse (EAQI "Poor", HJ 633 "中度污染", EPA "Unhealthy") for every
 *   hour of the last 2 hours;
 * - the 24-hour mean of a pollutant above its WHO 2021 24-hour guideline level;
 * - a device that reported in the last 24 hours silent for 30 minutes.
 * Every text of a rule exists in English, French and Chinese (dashboards/dashboard-text.ts); each
 * language is provisioned as its own rule group in its own file (alertRulesYaml), labelled `lang`.
 */
export const ALERT_FOLDER = 'ucap-monitor';
/** The level from which the index alert fires: the fourth of each standard's six. */
export const ALERT_LEVEL = 4;
export const WHO_ALERT_METRICS: readonly MetricId[] = ['pm25', 'pm10', 'no2', 'so2', 'co'];

export interface AlertQuery {
  readonly uid: string;
  readonly city: string;
  readonly query: string;
  /** Seconds of data the query looks at (Grafana's relativeTimeRange.from). */
  readonly rangeSeconds: number;
  readonly reducer: 'last' | 'min' | 'mean';
  readonly evaluator: { readonly type: 'gt' | 'lt'; readonly value: number };
  readonly title: Text;
  readonly description: Text;
  readonly severity: 'warning' | 'critical';
}

export function alertQueries(cities: readonly City[]): AlertQuery[] {
  return cities.flatMap((city) => [indexAlert(city), ...whoAlerts(city), silentAlert(city)]);
}

function indexAlert(city: City): AlertQuery {
  const standard = homeStandard(city);
  const level = indexScale(standard, 'en')[ALERT_LEVEL - 1];
  const from = level?.from ?? 0;
  const names = (lang: Lang) => indexScale(standard, lang)[ALERT_LEVEL - 1]?.name ?? '';
  return {
    uid: `ucap-${city.id}-index-level-${ALERT_LEVEL}`,
    city: city.id,
    query: indexMinQuery(city.id, standard),
    rangeSeconds: 2 * 3600,
    reducer: 'last',
    // The lowest hourly index of the 2 hours is at or above the level's lowest value.
    evaluator: { type: 'gt', value: from - 0.5 },
    title: byLang(
      (lang) => TEXT.alertIndexTitle(cityName(city, lang), standardName(standard, lang), names(lang))[lang],
    ),
    description: TEXT.alertIndexDescription(from),
    severity: 'critical',
  };
}

function whoAlerts(city: City): AlertQuery[] {
  return WHO_ALERT_METRICS.flatMap((metric) => {
    const guideline = who24hGuideline(metric);
    if (guideline === undefined) return [];
    return [
      {
        uid: `ucap-${city.id}-who-24h-${metric}`,
        city: city.id,
        query: rangeMeanQuery(city.id, metric),
        rangeSeconds: 24 * 3600,
        reducer: 'last' as const,
        evaluator: { type: 'gt' as const, value: guideline },
        title: byLang((lang) => TEXT.alertWhoTitle(cityName(city, lang), METRIC_NAMES[metric][lang])[lang]),
        description: TEXT.alertWhoDescription(guideline, METRICS[metric].unit),
        severity: 'warning' as const,
      },
    ];
  });
}

function silentAlert(city: City): AlertQuery {
  return {
    uid: `ucap-${city.id}-device-silent`,
    city: city.id,
    query: recentReadingsPerDeviceQuery(city.id),
    rangeSeconds: 24 * 3600,
    reducer: 'last',
    // No reading at all in the last three 10-minute buckets (20–30 minutes).
    evaluator: { type: 'lt', value: 0.1 },
    title: byLang((lang) => TEXT.alertSilentTitle(cityName(city, lang))[lang]),
    description: TEXT.alertSilentDescription,
    severity: 'warning',
  };
}

function byLang(f: (lang: Lang) => string): Text {
  return { en: f('en'), fr: f('fr'), zh: f('zh') };
}

/** A rule's uid in a language: the English one as is, the others suffixed (`…-fr`, `…-zh`), as dashboards. */
export function alertRuleUid(base: string, lang: Lang): string {
  return dashboardUid(base, lang);
}

/** One rule file per language: Grafana provisions every file of the folder. */
export function alertRulesFile(lang: Lang): string {
  return `${ALERTING_DIR}/ucap-alerts-${lang}.yaml`;
}

export const ALERTING_DIR = 'dashboards/provisioning/alerting';
export const CONTACT_POINTS_FILE = `${ALERTING_DIR}/contact-points.yaml`;

/** The example contact point of a language, and the Grafana environment variable of its address. */
export function contactPointName(lang: Lang): string {
  return `ucap-operators-${lang}`;
}

export function alertEmailVariable(lang: Lang): string {
  return lang === DEFAULT_LANG ? 'UCAP_ALERT_EMAIL' : `UCAP_ALERT_EMAIL_${lang.toUpperCase()}`;
}

function provisionedRule(rule: AlertQuery, lang: Lang) {
  return {
    uid: alertRuleUid(rule.uid, lang),
    title: rule.title[lang],
    condition: 'C',
    data: [
      {
        refId: 'A',
        relativeTimeRange: { from: rule.rangeSeconds, to: 0 },
        datasourceUid: INFLUX_DATASOURCE_UID,
        model: { refId: 'A', query: rule.query, rawQuery: true, resultFormat: 'time_series' },
      },
      {
        refId: 'B',
        datasourceUid: '__expr__',
        model: { refId: 'B', type: 'reduce', expression: 'A', reducer: rule.reducer },
      },
      {
        refId: 'C',
        datasourceUid: '__expr__',
        model: {
          refId: 'C',
          type: 'threshold',
          expression: 'B',
          conditions: [{ evaluator: { type: rule.evaluator.type, params: [rule.evaluator.value] } }],
        },
      },
    ],
    // No data means no reading to judge (the silent-device rule sees silence as 0, not as no data).
    noDataState: 'OK',
    execErrState: 'Error',
    for: '0s',
    annotations: { summary: rule.title[lang], description: rule.description[lang] },
    // `lang` routes the notification to the contact point of that language (contact-points.yaml).
    labels: { city: rule.city, severity: rule.severity, team: 'ucap', lang },
  };
}

/**
 * The rules of one language: the same queries and thresholds in every language, each language its
 * own rule group (a group's name is unique within its folder) with its own rule uids, so a team
 * reads titles, summaries and descriptions in its language and routes them by the `lang` label.
 */
export function alertRulesYaml(cities: readonly City[], lang: Lang): string {
  const doc = {
    apiVersion: 1,
    groups: [
      {
        orgId: 1,
        name: TEXT.alertGroup[lang],
        folder: ALERT_FOLDER,
        interval: '5m',
        rules: alertQueries(cities).map((rule) => provisionedRule(rule, lang)),
      },
    ],
  };
  return `# Generated by \`npm run dashboards\` (dashboards/alert-rules.ts): do not edit by hand.\n${stringify(doc)}`;
}

/**
 * An example contact point per language (e-mail to the address in UCAP_ALERT_EMAIL,
 * UCAP_ALERT_EMAIL_FR, UCAP_ALERT_EMAIL_ZH, set in Grafana's environment), with subject and body
 * in that language, and the policy that sends each rule of a language to it.
 */
export function contactPointsYaml(): string {
  const doc = {
    apiVersion: 1,
    contactPoints: LANGS.map((lang) => ({
      orgId: 1,
      name: contactPointName(lang),
      receivers: [
        {
          uid: `${contactPointName(lang)}-email`,
          type: 'email',
          settings: {
            addresses: `$${alertEmailVariable(lang)}`,
            singleEmail: true,
            subject: `${TEXT.alertEmailSubject[lang]}{{ .CommonAnnotations.summary }}`,
            message: `${TEXT.alertEmailIntro[lang]}\n{{ range .Alerts }}- {{ .Annotations.summary }}: {{ .Annotations.description }}\n{{ end }}`,
          },
          disableResolveMessage: false,
        },
      ],
    })),
    policies: [
      {
        orgId: 1,
        receiver: contactPointName(DEFAULT_LANG),
        group_by: ['alertname', 'city'],
        group_wait: '30s',
        group_interval: '5m',
        repeat_interval: '4h',
        routes: LANGS.map((lang) => ({
          receiver: contactPointName(lang),
          matchers: ['team = ucap', `lang = ${lang}`],
        })),
      },
    ],
  };
  return `# Generated by \`npm run dashboards\` (dashboards/alert-rules.ts): an example to adapt.\n${stringify(doc)}`;
}
