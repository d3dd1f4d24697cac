import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/dashboard';

/** The provisioned InfluxDB datasource (provisioning/datasources/datasources.yaml) every panel uses. */
export const INFLUX_DATASOURCE_UID = 'ucap-influxdb';
export const INFLUX_DATASOURCE: DataSourceRef = Object.freeze({
  type: 'influxdb',
  uid: INFLUX_DATASOURCE_UID,
});

export type InfluxResultFormat = 'time_series' | 'table';

/**
 * A raw InfluxQL target of Grafana's InfluxDB datasource. The SDK (0.0.21) ships no InfluxDB
 * dataquery type, so this is the JSON shape Grafana's InfluxQL query editor saves in raw mode.
 */
class InfluxQLTarget implements cog.Dataquery {
  readonly refId: string;
  readonly datasource: DataSourceRef = INFLUX_DATASOURCE;
  readonly rawQuery = true;
  readonly query: string;
  readonly resultFormat: InfluxResultFormat;
  readonly alias?: string;

  constructor(refId: string, query: string, resultFormat: InfluxResultFormat, alias?: string) {
    this.refId = refId;
    this.query = query;
    this.resultFormat = resultFormat;
    if (alias !== undefined) this.alias = alias;
  }

  _implementsDataqueryVariant(): void {}
}

export interface InfluxQLTargetOptions {
  readonly refId?: string;
  readonly format?: InfluxResultFormat;
  /** Series name, e.g. `$tag_device`. */
  readonly alias?: string;
}

export function influxqlTarget(
  query: string,
  options: InfluxQLTargetOptions = {},
): cog.Builder<cog.Dataquery> {
  return {
    build: () =>
      new InfluxQLTarget(options.refId ?? 'A', query, options.format ?? 'time_series', options.alias),
  };
}
