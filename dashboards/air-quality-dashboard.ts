import {
  BigValueColorMode,
  BigValueGraphMode,
  GraphDrawStyle,
  MapLayerOptionsBuilder,
  ReduceDataOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  type Dashboard,
  DashboardBuilder,
  type DynamicConfigValue,
  MappingType,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as GeomapPanel, MapViewConfigBuilder } from '@grafana/grafana-foundation-sdk/geomap';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import type { IndexStandardId } from '../domain/air-quality/index.ts';
import { LIMIT_STANDARDS, type LimitStandardId, limitValuesFor } from '../domain/air-quality/limit-values.ts';
import { type City, cityName } from '../domain/cities.ts';
import { DEFAULT_LANG, type Lang, type Text } from '../domain/i18n/languages.ts';
import { limitStandardName } from '../domain/i18n/limit-standard-names.ts';
import { METRIC_NAMES } from '../domain/i18n/metric-names.ts';
import { METRICS } from '../domain/metrics.ts';
import { builtInAnnotations, dashboardUid, deviceMarkers } from './city-dashboard.ts';
import { TEXT, t } from './dashboard-text.ts';
import { scaleMappings, scaleThresholds, standardName } from './index-scales.ts';
import { INFLUX_DATASOURCE, influxqlTarget } from './influx-datasource.ts';
import {
  currentIndexQuery,
  deviceIndexQuery,
  EXCEEDANCE_COLUMNS,
  type ExceedanceLimit,
  exceedanceQuery,
  indexHistoryQuery,
  pollutantCode,
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
  const builder = new DashboardBuilder(t(TEXT.aqTitle(cityName(city, lang)), lang))
    .uid(airQualityDashboardUid(city.id, lang))
    .tags(['ucap', 'air-quality', city.id, lang])
    .description(t(TEXT.aqDescription(cityName(city, lang), city.timeZone), lang))
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

/** The limits the exceedance table can assess in InfluxQL: 24-hour and 1-hour means, counted or by percentile. */
export function tableLimits(standardId: LimitStandardId, year: number): ExceedanceLimit[] {
  const { standard, limits } = limitValuesFor(standardId, { year });
  return limits.flatMap((l) => {
    if (l.averaging !== '24h' && l.averaging !== '1h') return [];
    if (l.kind !== 'limit' && l.kind !== 'guideline') return [];
    const a = l.assessment;
    if (a.kind !== 'count' && a.kind !== 'percentile') return [];
    return [
      {
        metric: l.pollutant,
        averaging: l.averaging,
        value: l.value,
        allowed: a.kind === 'count' ? { kind: 'count', n: a.allowed } : { kind: 'percentile', p: a.p },
        dailyMinHours: standard.validity.dailyMinHours,
      },
    ];
  });
}

function yearRule(standardId: LimitStandardId): Text {
  const rule = LIMIT_STANDARDS[standardId].validity.yearCoverage;
  return rule.kind === 'fraction'
    ? TEXT.yearRuleFraction(rule.minFraction * 100)
    : TEXT.yearRuleDays(rule.minDaysPerYear, rule.minDaysPerMonth, rule.minDaysFebruary);
}

/**
 * This year's exceedances of a limit-value standard (panel time: now/y, the dashboard being in the
 * city's zone): one row per limit with its averaging, value, allowed count, count so far, and the
 * periods that counted against those there were (validity by the standard's rule).
 */
function exceedancesPanel(city: City, standardId: LimitStandardId, lang: Lang): TablePanel {
  const standard = LIMIT_STANDARDS[standardId];
  const limits = tableLimits(standardId, new Date().getUTCFullYear());
  const percentiles = limits.flatMap((l) =>
    l.averaging === '24h' && l.allowed.kind === 'percentile'
      ? [t(TEXT.percentileOf(t(METRIC_NAMES[l.metric], lang), l.allowed.p), lang)]
      : [],
  );
  const columns = TEXT.exceedanceColumns;
  const metricNames: ValueMapping = {
    type: MappingType.ValueToText,
    options: Object.fromEntries(
      [...new Set(limits.map((l) => l.metric))].map((m, index) => [
        String(pollutantCode(m)),
        { text: `${t(METRIC_NAMES[m], lang)} (${METRICS[m].unit})`, index },
      ]),
    ),
  };
  const averagings: ValueMapping = {
    type: MappingType.ValueToText,
    options: {
      '24': { text: t(TEXT.averaging24h, lang), index: 0 },
      '1': { text: t(TEXT.averaging1h, lang), index: 1 },
    },
  };
  const panel = new TablePanel()
    .title(t(TEXT.exceedances(limitStandardName(standardId, lang)), lang))
    .description(
      t(
        TEXT.exceedancesDescription(
          limitStandardName(standardId, lang),
          standard.validity.dailyMinHours,
          standard.validity.dailyMinHoursSource,
          yearRule(standardId),
          [...new Set(percentiles)].join(', '),
        ),
        lang,
      ),
    )
    .datasource(INFLUX_DATASOURCE)
    .timeFrom('now/y')
    // One frame per limit, merged into one table; the constant time column is hidden.
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({
      id: 'organize',
      options: {
        excludeByName: { Time: true },
        indexByName: Object.fromEntries(EXCEEDANCE_COLUMNS.map((c, i) => [c, i])),
      },
    });
  // Columns are matched by their InfluxQL names, shown under their names in the language.
  for (const column of EXCEEDANCE_COLUMNS) {
    const properties: DynamicConfigValue[] = [{ id: 'displayName', value: t(columns[column], lang) }];
    if (column === 'pollutant') properties.push({ id: 'mappings', value: [metricNames] });
    if (column === 'hours') properties.push({ id: 'mappings', value: [averagings] });
    if (column === 'coverage')
      properties.push({ id: 'unit', value: 'percent' }, { id: 'decimals', value: 0 });
    panel.overrideByName(column, properties);
  }
  panel.height(8).span(24);
  limits.forEach((limit, i) => {
    panel.withTarget(
      influxqlTarget(exceedanceQuery(city.id, city.timeZone, limit), { refId: `L${i}`, format: 'table' }),
    );
  });
  return panel;
}
