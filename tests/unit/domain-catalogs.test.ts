import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CityCatalog, DEFAULT_CITIES } from '../../domain/cities.ts';
import { isPhysicallyPossible, METRIC_IDS, METRICS } from '../../domain/metrics.ts';
import { parseReadingsTopic, READINGS_SUBSCRIPTION, readingsTopic } from '../../domain/topics.ts';
import { loadCityCatalog } from '../../platform/city-config.ts';

describe('metric catalog', () => {
  it('has the metrics of the device contract with canonical units', () => {
    expect(Object.fromEntries(METRIC_IDS.map((id) => [id, METRICS[id].unit]))).toEqual({
      pm25: 'µg/m³',
      pm10: 'µg/m³',
      no2: 'µg/m³',
      o3: 'µg/m³',
      so2: 'µg/m³',
      co: 'mg/m³',
      noise_laeq: 'dB(A)',
      temperature: '°C',
      humidity: '%',
      pressure: 'hPa',
    });
  });

  it('treats NaN and values outside the physical range as impossible', () => {
    expect(isPhysicallyPossible('humidity', Number.NaN)).toBe(false);
    expect(isPhysicallyPossible('pressure', 1013.25)).toBe(true);
    expect(isPhysicallyPossible('pressure', 101325)).toBe(false);
    expect(isPhysicallyPossible('temperature', 61)).toBe(false);
  });
});

describe('city catalog', () => {
  it('maps the partner cities to their time zones', () => {
    const catalog = new CityCatalog(DEFAULT_CITIES);
    expect(catalog.get('nice')?.timeZone).toBe('Europe/Paris');
    expect(catalog.get('zhengzhou')?.timeZone).toBe('Asia/Shanghai');
  });

  it('adds a city from a CITIES_FILE without code changes', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ucap-cities-')), 'cities.json');
    writeFileSync(
      file,
      JSON.stringify({
        cities: [
          {
            id: 'haikou',
            name: 'Haikou',
            country: 'CN',
            timeZone: 'Asia/Shanghai',
            centre: { lat: 20.04, lon: 110.34 },
          },
        ],
      }),
    );
    expect(loadCityCatalog(file).ids()).toEqual(['nice', 'zhengzhou', 'haikou']);
  });

  it('refuses a CITIES_FILE with an unknown time zone, naming the variable and field', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ucap-cities-')), 'cities.json');
    writeFileSync(
      file,
      JSON.stringify({
        cities: [
          { id: 'x1', name: 'X', country: 'CN', timeZone: 'Mars/Olympus', centre: { lat: 0, lon: 0 } },
        ],
      }),
    );
    expect(() => loadCityCatalog(file)).toThrow(/CITIES_FILE: .*cities\.0\.timeZone/);
  });
});

describe('topic scheme', () => {
  it('round-trips city and device through the readings topic', () => {
    expect(readingsTopic('zhengzhou', 'zz-1')).toBe('ucap/zhengzhou/zz-1/readings');
    expect(parseReadingsTopic('ucap/zhengzhou/zz-1/readings')).toEqual({
      city: 'zhengzhou',
      deviceId: 'zz-1',
    });
    expect(READINGS_SUBSCRIPTION).toBe('ucap/+/+/readings');
  });

  it.each([
    'ucap/nice/readings',
    'ucap/nice/a/b/readings',
    'other/nice/a/readings',
    'ucap/nice/a/status',
    'ucap//a/readings',
  ])('does not take %s for a readings topic', (topic) => {
    expect(parseReadingsTopic(topic)).toBeUndefined();
  });
});
