import {
  FrameGeometrySourceBuilder,
  FrameGeometrySourceMode,
  MapLayerOptionsBuilder,
  ReduceDataOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  AnnotationQueryBuilder,
  type Dashboard,
  DashboardBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as GeomapPanel, MapViewConfigBuilder } from '@grafana/grafana-foundation-sdk/geomap';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { type City, cityName } from '../domain/cities.ts';
import { DEFAULT_LANG, type Lang } from '../domain/i18n/languages.ts';
import { METRIC_NAMES } from '../domain/i18n/metric-names.ts';
import { METRIC_IDS, METRICS, type MetricId } from '../domain/metrics.ts';
import { TEXT, t } from './dashboard-text.ts';
import { GRAFANA_UNITS } from './grafana-units.ts';
import { INFLUX_DATASOURCE, influxqlTarget } from './influx-datasource.ts';
import {
  deviceActivityQuery,
  latestByMetricQuery,
  latestPerDeviceQuery,
  metricSeriesQuery,
  rejectionsQuery,
  tagValuesQuery,
} from './influxql.ts';
import { bottomLegend } from './legends.ts';

/** What the dashboards need to know of a device: where it stands and what it measures. */
export interface DashboardDevice {
  readonly id: string;
  readonly location: { readonly lat: number; readonly lon: number; readonly name?: string };
  readonly metrics: readonly MetricId[];
}

/**
 * Where Grafana finds the device gazetteer (dashboards/gazetteer/devices.json): the InfluxDB schema
 * holds no coordinates, so the map looks each device id up in this file. It must be mounted at
 * /usr/share/grafana/public/gazetteer/ucap/ in the Grafana container.
 */
export const DEVICE_GAZETTEER_PATH = 'public/gazetteer/ucap/devices.json';

/** English keeps the plain uid (`ucap-nice`); other languages add theirs (`ucap-nice-fr`). */
export function dashboardUid(base: string, lang: Lang): string {
  return lang === DEFAULT_LANG ? base : `${base}-${lang}`;
}

export function cityDashboardUid(cityId: string, lang: Lang = DEFAULT_LANG): string {
  return dashboardUid(`ucap-${cityId}`, lang);
}

/** One dashboard per city, in the city's time zone, filtered by device and metric variables. */
export function buildCityDashboard(
  city: City,
  devices: readonly DashboardDevice[],
  lang: Lang = DEFAULT_LANG,
): Dashboard {
  const builder = new DashboardBuilder(t(TEXT.cityTitle(cityName(city, lang)), lang))
    .uid(cityDashboardUid(city.id, lang))
    .tags(['ucap', city.id, lang])
    .description(t(TEXT.cityDescription(cityName(city, lang), city.timeZone), lang))
    .timezone(city.timeZone)
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .readonly()
    .annotation(builtInAnnotations())
    .withVariable(tagVariable(city.id, 'device', t(TEXT.device, lang)))
    .withVariable(tagVariable(city.id, 'metric', t(TEXT.metric, lang)));
  let id = 1;
  builder.withPanel(latestValuesPanel(city.id, metricsOf(devices), lang).id(id++));
  builder.withPanel(deviceMapPanel(city, lang).id(id++));
  builder.withPanel(latestPerDevicePanel(city.id, lang).id(id++));
  for (const metric of metricsOf(devices)) {
    builder.withPanel(metricSeriesPanel(city.id, metric, lang).id(id++));
  }
  builder.withPanel(rejectionsPanel(city.id, lang).id(id++));
  return builder.build();
}

/** Metrics measured by the city's devices in catalog order; every metric when none are known. */
function metricsOf(devices: readonly DashboardDevice[]): MetricId[] {
  const measured = new Set(devices.flatMap((d) => d.metrics));
  return METRIC_IDS.filter((m) => measured.size === 0 || measured.has(m));
}

export function builtInAnnotations(): AnnotationQueryBuilder {
  return new AnnotationQueryBuilder()
    .name('Annotations & Alerts')
    .datasource({ type: 'grafana', uid: '-- Grafana --' })
    .builtIn(1)
    .enable(true)
    .hide(true)
    .iconColor('rgba(0, 211, 255, 1)')
    .type('dashboard');
}

function tagVariable(cityId: string, key: 'device' | 'metric', label: string): QueryVariableBuilder {
  const query = tagValuesQuery(cityId, key);
  return (
    new QueryVariableBuilder(key)
      .label(label)
      .datasource(INFLUX_DATASOURCE)
      .query(query)
      .definition(query)
      .multi(true)
      .includeAll(true)
      // "All" as a match-anything regex, so devices that only ever sent rejected messages show too.
      .allValue('.*')
      .current({ selected: true, text: ['All'], value: ['$__all'] })
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc)
  );
}

function latestValuesPanel(cityId: string, metrics: readonly MetricId[], lang: Lang): StatPanel {
  const panel = new StatPanel()
    .title(t(TEXT.latestValues, lang))
    .description(t(TEXT.latestValuesDescription, lang))
    .datasource(INFLUX_DATASOURCE)
    .withTarget(influxqlTarget(latestByMetricQuery(cityId), { alias: '$tag_metric' }))
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .decimals(1)
    .height(5)
    .span(24);
  for (const metric of metrics) {
    panel.overrideByName(metric, [
      { id: 'displayName', value: t(METRIC_NAMES[metric], lang) },
      { id: 'unit', value: GRAFANA_UNITS[metric] },
    ]);
  }
  return panel;
}

/** Device markers placed by looking each row's `device` up in the gazetteer, labelled with the id. */
export function deviceMarkers(
  name: string,
  style: { readonly size: Record<string, unknown>; readonly color: Record<string, unknown> },
): MapLayerOptionsBuilder {
  return new MapLayerOptionsBuilder()
    .type('markers')
    .name(name)
    .tooltip(true)
    .location(
      new FrameGeometrySourceBuilder()
        .mode(FrameGeometrySourceMode.Lookup)
        .lookup('device')
        .gazetteer(DEVICE_GAZETTEER_PATH),
    )
    .config({
      showLegend: true,
      style: {
        ...style,
        opacity: 0.85,
        symbol: { mode: 'fixed', fixed: 'img/icons/marker/circle.svg' },
        text: { mode: 'field', field: 'device', fixed: '' },
        textConfig: { fontSize: 10, offsetY: -14, textAlign: 'center', textBaseline: 'bottom' },
      },
    });
}

function deviceMapPanel(city: City, lang: Lang): GeomapPanel {
  const markers = deviceMarkers(t(TEXT.device, lang), {
    size: { field: 'readings', fixed: 8, min: 6, max: 18 },
    color: { fixed: 'green' },
  });
  return new GeomapPanel()
    .title(t(TEXT.deviceMap, lang))
    .description(t(TEXT.deviceMapDescription, lang))
    .datasource(INFLUX_DATASOURCE)
    .withTarget(influxqlTarget(deviceActivityQuery(city.id), { format: 'table' }))
    .view(new MapViewConfigBuilder().id('coords').lat(city.centre.lat).lon(city.centre.lon).zoom(11))
    .basemap(new MapLayerOptionsBuilder().type('default').name('Basemap'))
    .layers([markers])
    .height(11)
    .span(12);
}

function latestPerDevicePanel(cityId: string, lang: Lang): TablePanel {
  return new TablePanel()
    .title(t(TEXT.latestPerDevice, lang))
    .description(t(TEXT.latestPerDeviceDescription, lang))
    .datasource(INFLUX_DATASOURCE)
    .withTarget(influxqlTarget(latestPerDeviceQuery(cityId), { format: 'table' }))
    .decimals(2)
    .height(11)
    .span(12);
}

function metricSeriesPanel(cityId: string, metric: MetricId, lang: Lang): TimeseriesPanel {
  const name = t(METRIC_NAMES[metric], lang);
  return new TimeseriesPanel()
    .title(`${name} (${METRICS[metric].unit})`)
    .description(t(TEXT.metricSeriesDescription(name), lang))
    .datasource(INFLUX_DATASOURCE)
    .withTarget(influxqlTarget(metricSeriesQuery(cityId, metric), { alias: '$tag_device' }))
    .unit(GRAFANA_UNITS[metric])
    .decimals(1)
    .legend(bottomLegend())
    .height(8)
    .span(12);
}

function rejectionsPanel(cityId: string, lang: Lang): TablePanel {
  return new TablePanel()
    .title(t(TEXT.rejections, lang))
    .description(t(TEXT.rejectionsDescription, lang))
    .datasource(INFLUX_DATASOURCE)
    .withTarget(influxqlTarget(rejectionsQuery(cityId), { format: 'table' }))
    .height(9)
    .span(24);
}
