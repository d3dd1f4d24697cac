import { describe, expect, it } from 'vitest';
import { newDeviceSchema } from '../../devices/device.ts';
import { DEFAULT_CITIES } from '../../domain/cities.ts';
import { isMetricId } from '../../domain/metrics.ts';
import { parseReadingsTopic, readingsTopic } from '../../domain/topics.ts';
import { deviceRegistration } from '../../simulators/city-simulator.ts';
import { simulatedCityIds, stationsOf } from '../../simulators/stations.ts';

describe('simulated station networks', () => {
  it('simulates both partner cities with 4-6 stations each', () => {
    expect(simulatedCityIds().sort()).toEqual(['nice', 'zhengzhou']);
    for (const city of simulatedCityIds()) {
      expect(stationsOf(city).length).toBeGreaterThanOrEqual(4);
      expect(stationsOf(city).length).toBeLessThanOrEqual(6);
    }
    expect(stationsOf('paris')).toEqual([]);
  });

  it('places the stations at the real sites of the real networks', () => {
    const ids = (city: string) => stationsOf(city).map((s) => s.id);
    expect(ids('nice')).toEqual(
      expect.arrayContaining(['nice-arson', 'nice-promenade-des-anglais', 'nice-aeroport', 'nice-peillon']),
    );
    expect(ids('zhengzhou')).toEqual(
      expect.arrayContaining(['zhengzhou-shi-jiancezhan', 'zhengzhou-yinhang-xuexiao', 'zhengzhou-he-yida']),
    );
    const arson = stationsOf('nice').find((s) => s.id === 'nice-arson');
    expect(arson).toMatchObject({ stationCode: 'FR24036', siteType: 'urban_background' });
    expect(arson?.location).toMatchObject({ lat: 43.702075, lon: 7.286256 });
    expect(stationsOf('zhengzhou').find((s) => s.id === 'zhengzhou-shi-jiancezhan')?.location.name).toContain(
      '市监测站',
    );
  });

  it('keeps every station within 25 km of its city centre, with a valid id and known metrics', () => {
    for (const city of DEFAULT_CITIES) {
      for (const s of stationsOf(city.id)) {
        expect(s.id.startsWith(`${city.id}-`)).toBe(true);
        expect(parseReadingsTopic(readingsTopic(city.id, s.id))).toEqual({ city: city.id, deviceId: s.id });
        const dLat = (s.location.lat - city.centre.lat) * 111;
        const dLon = (s.location.lon - city.centre.lon) * 111 * Math.cos((city.centre.lat * Math.PI) / 180);
        expect(Math.hypot(dLat, dLon)).toBeLessThan(25);
        expect(s.metrics.length).toBeGreaterThan(0);
        expect(s.metrics.every(isMetricId)).toBe(true);
      }
    }
  });

  it('does not give every station every metric, but measures noise and weather somewhere in each city', () => {
    for (const city of simulatedCityIds()) {
      const stations = stationsOf(city);
      expect(new Set(stations.map((s) => s.metrics.length)).size).toBeGreaterThan(1);
      const measured = new Set(stations.flatMap((s) => s.metrics));
      for (const metric of ['pm25', 'pm10', 'no2', 'o3', 'noise_laeq', 'temperature', 'humidity'])
        expect(measured.has(metric as never)).toBe(true);
    }
  });

  it('registers each station as a valid device with its site location and type', () => {
    for (const s of [...stationsOf('nice'), ...stationsOf('zhengzhou')]) {
      const registration = deviceRegistration(s);
      const parsed = newDeviceSchema.safeParse(registration);
      if (!parsed.success) throw new Error(`${s.id}: ${parsed.error.message}`);
      expect(parsed.data).toMatchObject({ id: s.id, city: s.city, location: s.location });
      expect(parsed.data.meta?.siteType).toBe(s.siteType);
    }
  });
});
