import {
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  ReduceDataOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  type Dashboard,
  DashboardBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { limitValuesFor } from '../domain/air-quality/limit-values.ts';
import { type City, cityName } from '../domain/cities.ts';
import { DEFAULT_LANG, type Lang } from '../domain/i18n/languages.ts';
import { METRIC_NAMES } from '../domain/i18n/metric-names.ts';
import { METRICS, type MetricId } from '../domain/metrics.ts';
import { builtInAnnotations, dashboardUid } from './city-dashboard.ts';
import { TEXT, t } from './dashboard-text.ts';
import { GRAFANA_UNITS } from './grafana-units.ts';
import { INFLUX_DATASOURCE, influxqlTarget } from './influx-datasource.ts';
import { dailyMeanQuery } from './influxql.ts';
import { bottomLegend } from './legends.ts';

export const COMPARISON_DASHBOARD_UID = 'ucap-comparison';

export const COMPARED_METRICS: readonly MetricId[] = ['pm25', 'pm10', 'no2', 'o3'];

/**
 * WHO 2021 air quality guideline (AQG) levels for 24-hour means, from the limit-value catalogue
 * (WHO global air quality guidelines 2021, Table 0.1). O3 has no 24-hour guideline (only 8-hour
 * and peak season), so its panel shows no line.
 */
export function who24hGuideline(metric: MetricId): number | undefined {
  return LIMITS.find((l) => l.pollutant === metric && l.averaging === '24h' && l.kind === 'guideline')?.value;
}
const LIMITS = limitValuesFor('who2021', { year: 2026 }).limits;

/**
 * The partner cities side by side: daily means of the main pollutants, each city's days being its
 * own local calendar days (InfluxQL `tz()`), as both EU and Chinese daily statistics are defined.
 */
export function buildComparisonDashboard(cities: readonly City[], lang: Lang = DEFAULT_LANG): Dashboard {
  const names = cities.map((c) => cityName(c, lang)).join(' vs ');
  const builder = new DashboardBuilder(t(TEXT.comparisonTitle(names), lang))
    .uid(dashboardUid(COMPARISON_DASHBOARD_UID, lang))
    .tags(['ucap', 'comparison', lang])
    .description(
      t(TEXT.comparisonDescription(COMPARED_METRICS.map((m) => t(METRIC_NAMES[m], lang)).join(', ')), lang),
    )
    // Each series is bucketed on its own city's midnight; UTC shows both without a third zone.
    .timezone('utc')
    .time({ from: 'now-30d', to: 'now' })
    .refresh('1h')
    .readonly()
    .annotation(builtInAnnotations());
  let id = 1;
  for (const metric of COMPARED_METRICS) {
    builder.withPanel(dailyMeansPanel(metric, cities, lang).id(id++));
    builder.withPanel(periodMeanPanel(metric, cities, lang).id(id++));
  }
  return builder.build();
}

function cityTargets(metric: MetricId, cities: readonly City[], lang: Lang) {
  return cities.map((city, i) =>
    influxqlTarget(dailyMeanQuery(city.id, metric, city.timeZone), {
      refId: String.fromCharCode(65 + i),
      alias: cityName(city, lang),
    }),
  );
}

function dailyMeansPanel(metric: MetricId, cities: readonly City[], lang: Lang): TimeseriesPanel {
  const def = METRICS[metric];
  const name = t(METRIC_NAMES[metric], lang);
  const panel = new TimeseriesPanel()
    .title(t(TEXT.dailyMean(name), lang))
    .description(t(TEXT.dailyMeanDescription(name), lang))
    .datasource(INFLUX_DATASOURCE)
    .targets(cityTargets(metric, cities, lang))
    .unit(GRAFANA_UNITS[metric])
    .decimals(1)
    .legend(bottomLegend(['mean', 'max']))
    .height(9)
    .span(16);
  const guideline = who24hGuideline(metric);
  if (guideline !== undefined) {
    panel
      .description(
        `${t(TEXT.dailyMeanDescription(name), lang)} ${t(TEXT.guidelineLine(guideline, def.unit), lang)}`,
      )
      .thresholds(
        new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
          { value: null, color: 'transparent' },
          { value: guideline, color: 'orange' },
        ]),
      )
      .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
  }
  return panel;
}

function periodMeanPanel(metric: MetricId, cities: readonly City[], lang: Lang): StatPanel {
  return new StatPanel()
    .title(t(TEXT.periodMean(t(METRIC_NAMES[metric], lang)), lang))
    .description(t(TEXT.periodMeanDescription, lang))
    .datasource(INFLUX_DATASOURCE)
    .targets(cityTargets(metric, cities, lang))
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['mean']).values(false))
    .unit(GRAFANA_UNITS[metric])
    .decimals(1)
    .height(9)
    .span(8);
}
