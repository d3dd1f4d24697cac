import { type City, DEFAULT_CITIES } from '../domain/cities.ts';
import { buildCityDashboard, type DashboardDevice } from './city-dashboard.ts';
import { buildComparisonDashboard } from './comparison-dashboard.ts';
import { deviceGazetteer } from './device-gazetteer.ts';
import { dashboardsYaml, datasourcesYaml } from './provisioning.ts';

/** A file `npm run dashboards` writes, with its path relative to the repository root. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

/** Folder of the dashboard JSON; every `*.json` in it is provisioned, so stale ones are deleted. */
export const GENERATED_DASHBOARDS_DIR = 'dashboards/generated';
export const GAZETTEER_FILE = 'dashboards/gazetteer/devices.json';

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Everything Grafana needs, as text: one dashboard per city, the partner-city comparison, the
 * provisioning files and the device gazetteer. Pure, so a test can check the committed files are
 * what the code produces now.
 */
export function generateDashboardFiles(
  cities: readonly City[],
  devicesOf: (cityId: string) => readonly DashboardDevice[],
): GeneratedFile[] {
  const files: GeneratedFile[] = cities.map((city) => ({
    path: `${GENERATED_DASHBOARDS_DIR}/ucap-${city.id}.json`,
    content: json(buildCityDashboard(city, devicesOf(city.id))),
  }));
  const partners = cities.filter((c) => DEFAULT_CITIES.some((d) => d.id === c.id));
  files.push({
    path: `${GENERATED_DASHBOARDS_DIR}/ucap-comparison.json`,
    content: json(buildComparisonDashboard(partners)),
  });
  files.push({
    path: GAZETTEER_FILE,
    content: json(deviceGazetteer(cities.flatMap((c) => devicesOf(c.id)))),
  });
  files.push({ path: 'dashboards/provisioning/datasources/datasources.yaml', content: datasourcesYaml() });
  files.push({ path: 'dashboards/provisioning/dashboards/dashboards.yaml', content: dashboardsYaml() });
  return files;
}
