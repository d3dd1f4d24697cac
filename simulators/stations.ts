import type { MetricId } from '../domain/metrics.ts';

/**
 * The simulated devices stand at real monitoring-station sites, so maps and comparisons look like
 * the real networks. Sources: AtmoSud station list (coordinates from rtelga/air-pollution-web-app
 * stations.js, types from AtmoSud publications) and the Zhengzhou national control stations (names
 * from the Henan provincial platform).
 *
 * Which metrics each site measures is a simulation choice, not the real instrument list.
 */
export const SITE_TYPES = [
  'urban_background',
  'peri_urban_background',
  'rural_background',
  'traffic',
  'industrial',
  'airport',
] as const;

export type SiteType = (typeof SITE_TYPES)[number];

export interface StationProfile {
  /** Device id: `<city>-<site>`, also the MQTT username. */
  readonly id: string;
  readonly city: string;
  /** Official station code where one is known (EEA/LCSQA for Nice). */
  readonly stationCode?: string;
  readonly siteType: SiteType;
  readonly location: { readonly lat: number; readonly lon: number; readonly name: string };
  readonly metrics: readonly MetricId[];
  /** What in this entry is not confirmed by the source, shown in the device's meta. */
  readonly uncertain?: string;
}

const NICE_STATIONS: readonly StationProfile[] = [
  {
    // FR24036, type VERIFIED ("fond urbain", AtmoSud 2025; LCSQA "Fond;Urbaine").
    id: 'nice-arson',
    city: 'nice',
    stationCode: 'FR24036',
    siteType: 'urban_background',
    location: { lat: 43.702075, lon: 7.286256, name: 'Nice Arson' },
    metrics: ['pm25', 'pm10', 'no2', 'o3', 'temperature', 'humidity', 'pressure'],
  },
  {
    // FR24035, urban traffic, type VERIFIED (AtmoSud 2025 UFP note).
    id: 'nice-promenade-des-anglais',
    city: 'nice',
    stationCode: 'FR24035',
    siteType: 'traffic',
    location: { lat: 43.689291, lon: 7.242074, name: 'Nice Promenade des Anglais' },
    metrics: ['pm25', 'pm10', 'no2', 'co', 'noise_laeq'],
  },
  {
    // FR24030, airport influence ("trafic aérien"); coordinates approximate (from a student project).
    id: 'nice-aeroport',
    city: 'nice',
    stationCode: 'FR24030',
    siteType: 'airport',
    location: { lat: 43.6597, lon: 7.2148, name: 'Nice Aéroport' },
    metrics: ['pm10', 'no2', 'o3', 'noise_laeq', 'temperature', 'humidity'],
    uncertain: 'coordinates approximate (from a student project, not from AtmoSud)',
  },
  {
    // FR24011, peri-urban background: type not confirmed by AtmoSud.
    id: 'nice-ouest-botanique',
    city: 'nice',
    stationCode: 'FR24011',
    siteType: 'peri_urban_background',
    location: { lat: 43.685188, lon: 7.211174, name: 'Nice Ouest Botanique' },
    metrics: ['pm25', 'no2', 'o3'],
    uncertain: 'site type not confirmed by AtmoSud',
  },
  {
    // FR24021, industrial (Paillons valley cement works): type not confirmed by AtmoSud.
    id: 'nice-peillon',
    city: 'nice',
    stationCode: 'FR24021',
    siteType: 'industrial',
    location: { lat: 43.786583, lon: 7.373283, name: 'Peillon' },
    metrics: ['pm10', 'pm25', 'so2', 'no2'],
    uncertain: 'site type not confirmed by AtmoSud',
  },
];

// Zhengzhou: names authoritative, ALL coordinates approximate (±2-3 km, not from the CNEMC
// site list). The source classes every site as "urban"; the traffic and industrial influences
// given to 河医大 and 郑纺机 below are simulation assumptions, not official classifications.
const ZHENGZHOU_UNCERTAIN = 'coordinates approximate ±2-3 km (not from the CNEMC site list)';

const ZHENGZHOU_STATIONS: readonly StationProfile[] = [
  {
    id: 'zhengzhou-shi-jiancezhan',
    city: 'zhengzhou',
    siteType: 'urban_background',
    location: { lat: 34.757, lon: 113.665, name: '市监测站 (City Environmental Monitoring Station)' },
    metrics: ['pm25', 'pm10', 'no2', 'o3', 'so2', 'co', 'temperature', 'humidity', 'pressure'],
    uncertain: ZHENGZHOU_UNCERTAIN,
  },
  {
    id: 'zhengzhou-yinhang-xuexiao',
    city: 'zhengzhou',
    siteType: 'urban_background',
    location: { lat: 34.78, lon: 113.71, name: '银行学校 (Banking School)' },
    metrics: ['pm25', 'pm10', 'no2', 'o3', 'so2', 'co'],
    uncertain: ZHENGZHOU_UNCERTAIN,
  },
  {
    id: 'zhengzhou-zheng-fangji',
    city: 'zhengzhou',
    siteType: 'industrial',
    location: { lat: 34.73, lon: 113.68, name: '郑纺机 (Zhengzhou Textile Machinery)' },
    metrics: ['pm25', 'pm10', 'so2', 'no2', 'co'],
    uncertain: `${ZHENGZHOU_UNCERTAIN}; industrial influence is a simulation assumption`,
  },
  {
    id: 'zhengzhou-gongshui-gongsi',
    city: 'zhengzhou',
    siteType: 'urban_background',
    location: { lat: 34.77, lon: 113.64, name: '供水公司 (Water Supply Company)' },
    metrics: ['pm25', 'pm10', 'o3', 'temperature', 'humidity'],
    uncertain: ZHENGZHOU_UNCERTAIN,
  },
  {
    id: 'zhengzhou-yanchang',
    city: 'zhengzhou',
    siteType: 'urban_background',
    location: { lat: 34.74, lon: 113.67, name: '烟厂 (Tobacco Factory)' },
    metrics: ['pm25', 'pm10', 'no2', 'o3'],
    uncertain: ZHENGZHOU_UNCERTAIN,
  },
  {
    id: 'zhengzhou-he-yida',
    city: 'zhengzhou',
    siteType: 'traffic',
    location: { lat: 34.717, lon: 113.645, name: '河医大 (former Henan Medical University)' },
    metrics: ['pm25', 'pm10', 'no2', 'co', 'noise_laeq'],
    uncertain: `${ZHENGZHOU_UNCERTAIN}; traffic influence is a simulation assumption`,
  },
];

const STATIONS_BY_CITY: Readonly<Record<string, readonly StationProfile[]>> = Object.freeze({
  nice: NICE_STATIONS,
  zhengzhou: ZHENGZHOU_STATIONS,
});

/** Cities that have a simulated network. */
export function simulatedCityIds(): string[] {
  return Object.keys(STATIONS_BY_CITY);
}

/** The simulated stations of a city; empty for a city without a simulated network. */
export function stationsOf(cityId: string): readonly StationProfile[] {
  return STATIONS_BY_CITY[cityId] ?? [];
}

/** Every simulated station, Nice first. */
export function allStations(): readonly StationProfile[] {
  return Object.values(STATIONS_BY_CITY).flat();
}
