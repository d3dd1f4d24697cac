import { type Dashboard, DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import type { IndexStandardId } from '../domain/air-quality/index.ts';
import { type City, cityName } from '../domain/cities.ts';
import { DEFAULT_LANG, type Lang } from '../domain/i18n/languages.ts';
import { INDEX_STANDARDS } from './air-quality-dashboard.ts';
import { builtInAnnotations, dashboardUid } from './city-dashboard.ts';
import { TEXT, t } from './dashboard-text.ts';
import { scaleThresholds, standardName } from './index-scales.ts';
import { INFLUX_DATASOURCE, influxqlTarget } from './influx-datasource.ts';
import { indexHistoryQuery } from './influxql.ts';
import { bottomLegend } from './legends.ts';

export const AQI_COMPARISON_UID = 'ucap-aq-comparison';

/**
 * The partner cities side by side on the same standard: each city's daily index, each day being
 * that city's own local day (the maintainer stores daily rows at local midnight), for every
 * standard, so EU and Chinese engineers can compare on the scale they know.
 */
export function buildAqiComparisonDashboard(cities: readonly City[], lang: Lang = DEFAULT_LANG): Dashboard {
  const names = cities.map((c) => cityName(c, lang)).join(' × ');
  const builder = new DashboardBuilder(t(TEXT.aqComparisonTitle(names), lang))
    .uid(dashboardUid(AQI_COMPARISON_UID, lang))
    .tags(['ucap', 'air-quality', 'comparison', lang])
    .description(t(TEXT.aqComparisonDescription, lang))
    .timezone('utc')
    .time({ from: 'now-30d', to: 'now' })
    .refresh('1h')
    .readonly()
    .annotation(builtInAnnotations());
  let id = 1;
  for (const standard of INDEX_STANDARDS) builder.withPanel(dailyIndexPanel(standard, cities, lang).id(id++));
  return builder.build();
}

function dailyIndexPanel(standard: IndexStandardId, cities: readonly City[], lang: Lang): TimeseriesPanel {
  return new TimeseriesPanel()
    .title(t(TEXT.dailyIndexOf(standardName(standard, lang)), lang))
    .description(t(TEXT.aqComparisonDescription, lang))
    .datasource(INFLUX_DATASOURCE)
    .targets(
      cities.map((city, i) =>
        influxqlTarget(indexHistoryQuery(city.id, standard, '1d'), {
          refId: String.fromCharCode(65 + i),
          alias: cityName(city, lang),
        }),
      ),
    )
    .thresholds(scaleThresholds(standard, lang))
    .legend(bottomLegend(['mean', 'max']))
    .height(9)
    .span(24);
}
