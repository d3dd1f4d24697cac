import type { DeviceRegistry } from '../devices/device-registry.ts';
import type { City } from '../domain/cities.ts';
import type { DashboardDevice } from './city-dashboard.ts';

/**
 * The devices the maps place: the device registry's devices of each city, at their registered
 * location (the city centre when they have none). A city with no registered device yet falls back
 * to `fallback` (the simulated networks), so a fresh checkout still generates useful maps.
 */
export async function registryDevices(
  registry: DeviceRegistry,
  cities: readonly City[],
  fallback: (cityId: string) => readonly DashboardDevice[],
): Promise<(cityId: string) => readonly DashboardDevice[]> {
  const byCity = new Map<string, DashboardDevice[]>();
  for (const city of cities) {
    const devices = await registry.list({ city: city.id });
    byCity.set(
      city.id,
      devices.map((d) => ({
        id: d.id,
        location: {
          lat: d.location?.lat ?? city.centre.lat,
          lon: d.location?.lon ?? city.centre.lon,
          ...(d.location?.name === undefined ? {} : { name: d.location.name }),
        },
        // The registry does not know what a device measures: every metric gets a panel.
        metrics: [],
      })),
    );
  }
  return (cityId) => {
    const registered = byCity.get(cityId) ?? [];
    return registered.length > 0 ? registered : fallback(cityId);
  };
}
