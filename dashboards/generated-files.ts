import { type City, DEFAULT_CITIES } from '../domain/cities.ts';
import { LANGS } from '../domain/i18n/languages.ts';
import { airQualityDashboardUid, buildAirQualityDashboard } from './air-quality-dashboard.ts';
import { alertRulesFile, alertRulesYaml, CONTACT_POINTS_FILE, contactPointsYaml } from './alert-rules.ts';
import { AQI_COMPARISON_UID, buildAqiComparisonDashboard } from './aqi-comparison-dashboard.ts';
import {
  buildCityDashboard,
  cityDashboardUid,
  type DashboardDevice,
  dashboardUid,
} from './city-dashboard.ts';
import { buildComparisonDashboard, COMPARISON_DASHBOARD_UID } from './comparison-dashboard.ts';
import { deviceGazetteer } from './device-gazetteer.ts';
import { dashboardsYaml, datasourcesYaml } from './provisioning.ts';

/** A file `npm run dashboards` writes, with its path relative to the repository root. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Folder of the dashboard JSON, one sub-folder per language (en, fr, zh: one Grafana folder each);
 * every `*.json` in it is provisioned, so stale ones are deleted.
 */
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
  const partners = cities.filter((c) => DEFAULT_CITIES.some((d) => d.id === c.id));
  const files: GeneratedFile[] = LANGS.flatMap((lang) => {
    const dir = `${GENERATED_DASHBOARDS_DIR}/${lang}`;
    return [
      ...cities.flatMap((city) => [
        {
          path: `${dir}/${cityDashboardUid(city.id, lang)}.json`,
          content: json(buildCityDashboard(city, devicesOf(city.id), lang)),
        },
        {
          path: `${dir}/${airQualityDashboardUid(city.id, lang)}.json`,
          content: json(buildAirQualityDashboard(city, lang)),
        },
      ]),
      {
        path: `${dir}/${dashboardUid(COMPARISON_DASHBOARD_UID, lang)}.json`,
        content: json(buildComparisonDashboard(partners, lang)),
      },
      {
        path: `${dir}/${dashboardUid(AQI_COMPARISON_UID, lang)}.json`,
        content: json(buildAqiComparisonDashboard(partners, lang)),
      },
    ];
  });
  files.push({
    path: GAZETTEER_FILE,
    content: json(deviceGazetteer(cities.flatMap((c) => devicesOf(c.id)))),
  });
  files.push({ path: 'dashboards/provisioning/datasources/datasources.yaml', content: datasourcesYaml() });
  files.push({ path: 'dashboards/provisioning/dashboards/dashboards.yaml', content: dashboardsYaml() });
  for (const lang of LANGS) files.push({ path: alertRulesFile(lang), content: alertRulesYaml(cities, lang) });
  files.push({ path: CONTACT_POINTS_FILE, content: contactPointsYaml() });
  return files;
}
