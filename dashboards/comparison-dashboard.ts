import {
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  type Dashboard,
  DashboardBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import type { City } from '../domain/cities.ts';
import { METRICS, type MetricId } from '../domain/metrics.ts';
import { builtInAnnotations } from './city-dashboard.ts';
import { GRAFANA_UNITS } from './grafana-units.ts';
import { INFLUX_DATASOURCE, influxqlTarget } from './influx-datasource.ts';
import { dailyMeanQuery } from './influxql.ts';

export const COMPARISON_DASHBOARD_UID = 'ucap-comparison';

export const COMPARED_METRICS: readonly MetricId[] = ['pm25', 'pm10', 'no2', 'o3'];

/**
 * WHO 2021 air quality guideline levels for 24-hour means, µg/m³ (WHO global air quality
 * guidelines 2021, Table 0.1). O3 has no 24-hour guideline (only 8-hour and peak
 * season), so its panel shows no line.
 */
const WHO_24H_GUIDELINE: Partial<Record<MetricId, number>> = { pm25: 15, pm10: 45, no2: 25 };

/**
 * The partner cities side by side: daily means of the main pollutants, each city's days being its
 * own local calendar days (InfluxQL `tz()`), as both EU and Chinese daily statistics are defined.
 */
export function buildComparisonDashboard(cities: readonly City[]): Dashboard {
  const names = cities.map((c) => c.name).join(' vs ');
  const builder = new DashboardBuilder(`${names} — daily means`)
    .uid(COMPARISON_DASHBOARD_UID)
    .tags(['ucap', 'comparison'])
    .description(
      `Daily means of ${COMPARED_METRICS.map((m) => METRICS[m].displayName).join(', ')} per city, over each city's local days.`,
    )
    // Each series is bucketed on its own city's midnight; UTC shows both without a third zone.
    .timezone('utc')
    .time({ from: 'now-30d', to: 'now' })
    .refresh('1h')
    .readonly()
    .annotation(builtInAnnotations());
  let id = 1;
  for (const metric of COMPARED_METRICS) {
    builder.withPanel(dailyMeansPanel(metric, cities).id(id++));
    builder.withPanel(periodMeanPanel(metric, cities).id(id++));
  }
  return builder.build();
}

function cityTargets(metric: MetricId, cities: readonly City[]) {
  return cities.map((city, i) =>
    influxqlTarget(dailyMeanQuery(city.id, metric, city.timeZone), {
      refId: String.fromCharCode(65 + i),
      alias: city.name,
    }),
  );
}

function dailyMeansPanel(metric: MetricId, cities: readonly City[]): TimeseriesPanel {
  const def = METRICS[metric];
  const panel = new TimeseriesPanel()
    .title(`${def.displayName}: daily mean`)
    .datasource(INFLUX_DATASOURCE)
    .targets(cityTargets(metric, cities))
    .unit(GRAFANA_UNITS[metric])
    .decimals(1)
    .legend(
      new VizLegendOptionsBuilder()
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .showLegend(true)
        .calcs(['mean', 'max']),
    )
    .height(9)
    .span(16);
  const guideline = WHO_24H_GUIDELINE[metric];
  if (guideline !== undefined) {
    panel
      .description(`Dashed line: WHO 2021 24-hour guideline level, ${guideline} ${def.unit}.`)
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

function periodMeanPanel(metric: MetricId, cities: readonly City[]): StatPanel {
  return new StatPanel()
    .title(`${METRICS[metric].displayName}: mean of the daily means`)
    .datasource(INFLUX_DATASOURCE)
    .targets(cityTargets(metric, cities))
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['mean']).values(false))
    .unit(GRAFANA_UNITS[metric])
    .decimals(1)
    .height(9)
    .span(8);
}
