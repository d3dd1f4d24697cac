import type { DashboardDevice } from './city-dashboard.ts';

/**
 * The device map's gazetteer: Grafana's geomap "lookup" location mode matches the `device` column
 * against `key` in this file (the legacy worldmap format Grafana's gazetteer loader accepts:
 * `[{key, latitude, longitude, name}]`).
 */
export interface GazetteerEntry {
  readonly key: string;
  readonly latitude: number;
  readonly longitude: number;
  readonly name: string;
}

export function deviceGazetteer(devices: readonly DashboardDevice[]): GazetteerEntry[] {
  return devices.map((d) => ({
    key: d.id,
    latitude: d.location.lat,
    longitude: d.location.lon,
    name: d.location.name ?? d.id,
  }));
}
