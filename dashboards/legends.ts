import {
  LegendDisplayMode,
  LegendPlacement,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';

/** A legend below the chart: one name per series, or a table with the given statistics. */
export function bottomLegend(calcs: readonly string[] = []): VizLegendOptionsBuilder {
  const legend = new VizLegendOptionsBuilder()
    .displayMode(calcs.length === 0 ? LegendDisplayMode.List : LegendDisplayMode.Table)
    .placement(LegendPlacement.Bottom)
    .showLegend(true);
  return calcs.length === 0 ? legend : legend.calcs([...calcs]);
}
