import {
  BigValueColorMode,
  BigValueGraphMode,
  GraphDrawStyle,
  MapLayerOptionsBuilder,
  ReduceDataOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { type Dashboard, DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as GeomapPanel, MapViewConfigBuilder } from '@grafana/grafana-foundation-sdk/geomap';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import type { IndexStandardId } from '../domain/air-quality/index.ts';
import { LIMIT_STANDARDS, type LimitStandardId, limitValuesFor } from '../domain/air-quality/limit-values.ts';
import type { City } from '../domain/cities.ts';
import { DEFAULT_LANG, type Lang } from '../domain/i18n/languages.ts';
import { METRIC_NAMES } from '../domain/i18n/metric-names.ts';
import { builtInAnnotations, dashboardUid, deviceMarkers } from './city-dashboard.ts';
import { TEXT, t } from './dashboard-text.ts';
import { scaleMappings, scaleThresholds, standardName } from './index-scales.ts';
import { INFLUX_DATASOURCE, influxqlTarget } from './influx-datasource.ts';
import {
  currentIndexQuery,
  daysAboveQuery,
  daysWithDataQuery,
  deviceIndexQuery,
  indexHistoryQuery,
  subIndicesQuery,
} from './influxql.ts';
import { bottomLegend } from './legends.ts';

export const INDEX_STANDARDS: readonly IndexStandardId[] = ['eaqi', 'hj633', 'epa'];

/** The index a city's engineers read first: their own country's (EU EAQI, China HJ 633), else EPA. */
export function homeStandard(city: City): IndexStandardId {
  if (city.country === 'CN') return 'hj633';
  return ['AT', 'BE', 'DE', 'ES', 'FR', 'IT', 'NL', 'PT'].includes(city.country) ? 'eaqi' : 'epa';
}

/** Limit-value standards whose exceedances the city's dashboard counts this year. */
export function homeLimitStandards(city: City): LimitStandardId[] {
  if (city.country === 'CN') return ['gb3095-2026', 'who2021'];
  return homeStandard(city) === 'eaqi' ? ['eu2008', 'who2021'] : ['who2021'];
}

export function airQualityDashboardUid(cityId: string, lang: Lang = DEFAULT_LANG): string {
  return dashboardUid(`ucap-aq-${cityId}`, lang);
}

/**
 * A city's air-quality indices, read from the index series the maintainer keeps (the `aqi`
 * measurement, the same numbers /v1/aqi gives): current index per standard, hourly and daily
 * history, sub-indices and primary pollutant, devices coloured by index, and this year's
 * exceedances per limit-value standard.
 */
export function buildAirQualityDashboard(city: City, lang: Lang = DEFAULT_LANG): Dashboard {
  const builder = new DashboardBuilder(t(TEXT.aqTitle(city.name), lang))
    .uid(airQualityDashboardUid(city.id, lang))
    .tags(['ucap', 'air-quality', city.id, lang])
    .description(t(TEXT.aqDescription(city.name, city.timeZone), lang))
    .timezone(city.timeZone)
    .time({ from: 'now-7d', to: 'now' })
    .refresh('5m')
    .readonly()
    .annotation(builtInAnnotations());
  let id = 1;
  for (const standard of INDEX_STANDARDS) builder.withPanel(currentIndexPanel(city, standard, lang).id(id++));
  builder.withPanel(deviceIndexMapPanel(city, homeStandard(city), lang).id(id++));
  builder.withPanel(subIndicesPanel(city, homeStandard(city), lang).id(id++));
  for (const standard of INDEX_STANDARDS) builder.withPanel(historyPanel(city, standard, lang).id(id++));
  for (const standard of homeLimitStandards(city)) {
    builder.withPanel(exceedancesPanel(city, standard, lang).id(id++));
  }
  return builder.build();
}

function currentIndexPanel(city: City, standard: IndexStandardId, lang: Lang): StatPanel {
  return new StatPanel()
    .title(t(TEXT.currentIndex(standardName(standard, lang)), lang))
    .description(t(TEXT.currentIndexDescription, lang))
    .datasource(INFLUX_DATASOURCE)
    .withTarget(influxqlTarget(currentIndexQuery(city.id, standard)))
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(scaleThresholds(standard, lang))
    .mappings(scaleMappings(standard, lang))
    .colorMode(BigValueColorMode.Background)
    .graphMode(BigValueGraphMode.None)
    .height(5)
    .span(8);
}

export function historyPanel(city: City, standard: IndexStandardId, lang: Lang): TimeseriesPanel {
  return new TimeseriesPanel()
    .title(t(TEXT.indexHistory(standardName(standard, lang)), lang))
    .description(t(TEXT.indexHistoryDescription, lang))
    .datasource(INFLUX_DATASOURCE)
    .withTarget(
      influxqlTarget(indexHistoryQuery(city.id, standard, '1h'), { refId: 'A', alias: t(TEXT.hourly, lang) }),
    )
    .withTarget(
      influxqlTarget(indexHistoryQuery(city.id, standard, '1d'), { refId: 'B', alias: t(TEXT.daily, lang) }),
    )
    .thresholds(scaleThresholds(standard, lang))
    .drawStyle(GraphDrawStyle.Line)
    .legend(bottomLegend())
    .height(8)
    .span(8);
}

function subIndicesPanel(city: City, standard: IndexStandardId, lang: Lang): TablePanel {
  return new TablePanel()
    .title(t(TEXT.subIndices(standardName(standard, lang)), lang))
    .description(t(TEXT.subIndicesDescription, lang))
    .datasource(INFLUX_DATASOURCE)
    .withTarget(influxqlTarget(subIndicesQuery(city.id, standard), { format: 'table' }))
    .thresholds(scaleThresholds(standard, lang))
    .height(10)
    .span(12);
}

function deviceIndexMapPanel(city: City, standard: IndexStandardId, lang: Lang): GeomapPanel {
  const markers = deviceMarkers(t(TEXT.device, lang), {
    size: { fixed: 10 },
    color: { field: 'index', fixed: 'grey' },
  });
  return new GeomapPanel()
    .title(t(TEXT.indexMap(standardName(standard, lang)), lang))
    .description(t(TEXT.indexMapDescription, lang))
    .datasource(INFLUX_DATASOURCE)
    .withTarget(influxqlTarget(deviceIndexQuery(city.id, standard), { format: 'table' }))
    .thresholds(scaleThresholds(standard, lang))
    .view(new MapViewConfigBuilder().id('coords').lat(city.centre.lat).lon(city.centre.lon).zoom(11))
    .basemap(new MapLayerOptionsBuilder().type('default').name('Basemap'))
    .layers([markers])
    .height(10)
    .span(12);
}

/** Days above each 24-hour limit so far this year (panel time: now/y), with the coverage. */
function exceedancesPanel(city: City, standardId: LimitStandardId, lang: Lang): StatPanel {
  const year = new Date().getUTCFullYear();
  const limits = limitValuesFor(standardId, { year }).limits.filter(
    (l) => l.averaging === '24h' && (l.kind === 'limit' || l.kind === 'guideline'),
  );
  const panel = new StatPanel()
    .title(t(TEXT.exceedances(LIMIT_STANDARDS[standardId].name), lang))
    .description(t(TEXT.exceedancesDescription, lang))
    .datasource(INFLUX_DATASOURCE)
    .timeFrom('now/y')
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .colorMode(BigValueColorMode.Value)
    .graphMode(BigValueGraphMode.None)
    .height(6)
    .span(24);
  let ref = 0;
  const refId = () => `R${ref++}`;
  for (const limit of limits) {
    const name = t(METRIC_NAMES[limit.pollutant], lang);
    const allowed =
      limit.assessment.kind === 'count' ? String(limit.assessment.allowed) : t(TEXT.notCounted, lang);
    panel.withTarget(
      influxqlTarget(daysAboveQuery(city.id, limit.pollutant, city.timeZone, limit.value), {
        refId: refId(),
        alias: t(TEXT.daysAbove(`${name} > ${limit.value} ${limit.unit}`, allowed), lang),
      }),
    );
  }
  for (const pollutant of new Set(limits.map((l) => l.pollutant))) {
    panel.withTarget(
      influxqlTarget(daysWithDataQuery(city.id, pollutant, city.timeZone), {
        refId: refId(),
        alias: t(TEXT.daysWithData(t(METRIC_NAMES[pollutant], lang)), lang),
      }),
    );
  }
  return panel;
}
