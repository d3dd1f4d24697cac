import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CITIES } from '../../domain/cities.ts';
import { METRICS, type MetricId } from '../../domain/metrics.ts';
import { decodeNativePayload } from '../../domain/payload-formats/native-payload.ts';
import { DEFAULT_TIME_POLICY } from '../../domain/timestamps.ts';
import { localClock } from '../../simulators/local-clock.ts';
import { nativeReadingPayload } from '../../simulators/reading-payload.ts';
import { createSeededRandom } from '../../simulators/seeded-random.ts';
import { allStations, type StationProfile, stationsOf } from '../../simulators/stations.ts';
import { createValueModel, type SimulatedValues } from '../../simulators/value-model.ts';

const HOUR = 3_600_000;
const YEAR_START = Date.UTC(2025, 0, 1);

function zoneOf(station: StationProfile): string {
  const city = DEFAULT_CITIES.find((c) => c.id === station.city);
  if (!city) throw new Error(`no city ${station.city}`);
  return city.timeZone;
}

function station(id: string): StationProfile {
  const found = allStations().find((s) => s.id === id);
  if (!found) throw new Error(`no station ${id}`);
  return found;
}

function modelFor(s: StationProfile, seed = 7) {
  return createValueModel(s, { timeZone: zoneOf(s), random: createSeededRandom(seed) });
}

interface Sample {
  readonly ts: number;
  readonly hour: number;
  readonly dayOfYear: number;
  readonly values: SimulatedValues;
}

/** One reading per hour for a year, as the station would publish it. */
function simulateYear(s: StationProfile): Sample[] {
  const model = modelFor(s);
  const samples: Sample[] = [];
  for (let ts = YEAR_START; ts < YEAR_START + 365 * 24 * HOUR; ts += HOUR) {
    const { hour, dayOfYear } = localClock(ts, zoneOf(s));
    samples.push({ ts, hour: Math.floor(hour), dayOfYear, values: model.valuesAt(ts) });
  }
  return samples;
}

function mean(samples: readonly Sample[], metric: MetricId, keep: (s: Sample) => boolean = () => true) {
  const values = samples.filter(keep).map((s) => s.values[metric] ?? Number.NaN);
  expect(values.length).toBeGreaterThan(0);
  return values.reduce((a, b) => a + b, 0) / values.length;
}

const years = new Map<string, Sample[]>();
beforeAll(() => {
  for (const s of allStations()) years.set(s.id, simulateYear(s));
});

function year(id: string): Sample[] {
  const samples = years.get(id);
  if (!samples) throw new Error(`no simulated year for ${id}`);
  return samples;
}

describe('simulator value model', () => {
  it('gives the same readings for the same seed and instants, and different ones for another seed', () => {
    const s = station('nice-arson');
    const instants = Array.from({ length: 50 }, (_, i) => YEAR_START + i * 5 * 60_000);
    const a = modelFor(s, 42);
    const b = modelFor(s, 42);
    const c = modelFor(s, 43);
    const runA = instants.map((ts) => a.valuesAt(ts));
    expect(instants.map((ts) => b.valuesAt(ts))).toEqual(runA);
    expect(instants.map((ts) => c.valuesAt(ts))).not.toEqual(runA);
  });

  it('reports exactly the metrics each station measures, within the physical range, over a whole year', () => {
    for (const s of allStations()) {
      for (const sample of year(s.id)) {
        expect(Object.keys(sample.values).sort()).toEqual([...s.metrics].sort());
        for (const [metric, value] of Object.entries(sample.values) as [MetricId, number][]) {
          const { min, max } = METRICS[metric];
          if (!(Number.isFinite(value) && value >= min && value <= max))
            throw new Error(`${s.id} ${metric}=${value} at ${new Date(sample.ts).toISOString()}`);
        }
      }
    }
  });

  it('keeps annual means near the published levels of each city', () => {
    expect(mean(year('nice-arson'), 'pm25')).toBeGreaterThan(7);
    expect(mean(year('nice-arson'), 'pm25')).toBeLessThan(14);
    expect(mean(year('nice-arson'), 'o3')).toBeGreaterThan(45);
    expect(mean(year('nice-arson'), 'o3')).toBeLessThan(75);
    expect(mean(year('zhengzhou-shi-jiancezhan'), 'pm25')).toBeGreaterThan(35);
    expect(mean(year('zhengzhou-shi-jiancezhan'), 'pm25')).toBeLessThan(55);
    expect(mean(year('zhengzhou-shi-jiancezhan'), 'temperature')).toBeGreaterThan(12);
    expect(mean(year('zhengzhou-shi-jiancezhan'), 'temperature')).toBeLessThan(17);
  });

  it('makes the traffic site dirtier and louder than the urban background', () => {
    const background = mean(year('nice-arson'), 'no2');
    const traffic = mean(year('nice-promenade-des-anglais'), 'no2');
    expect(traffic).toBeGreaterThan(background * 1.3);
    expect(mean(year('nice-promenade-des-anglais'), 'noise_laeq')).toBeGreaterThan(65);
  });

  it('peaks NO2 at the morning rush hour in local time (Nice 08:00 vs 03:00, Zhengzhou likewise in CST)', () => {
    const at = (h: number) => (s: Sample) => s.hour === h;
    expect(mean(year('nice-arson'), 'no2', at(8))).toBeGreaterThan(
      1.5 * mean(year('nice-arson'), 'no2', at(3)),
    );
    // 08:00 CST is 00:00 UTC: a model running on UTC would put a night-time low here.
    const zz = year('zhengzhou-yanchang');
    expect(mean(zz, 'no2', at(8))).toBeGreaterThan(1.5 * mean(zz, 'no2', at(3)));
  });

  it('peaks O3 in the afternoon (15:00 vs 05:00 local)', () => {
    const at = (h: number) => (s: Sample) => s.hour === h;
    for (const id of ['nice-arson', 'zhengzhou-shi-jiancezhan']) {
      expect(mean(year(id), 'o3', at(15))).toBeGreaterThan(1.8 * mean(year(id), 'o3', at(5)));
    }
  });

  it('makes Zhengzhou winter PM2.5 far higher than summer, and summer O3 higher than winter', () => {
    const zz = year('zhengzhou-shi-jiancezhan');
    const winter = (s: Sample) => s.dayOfYear <= 59 || s.dayOfYear >= 335;
    const summer = (s: Sample) => s.dayOfYear >= 152 && s.dayOfYear < 244;
    expect(mean(zz, 'pm25', winter)).toBeGreaterThan(2 * mean(zz, 'pm25', summer));
    expect(mean(zz, 'o3', summer)).toBeGreaterThan(2 * mean(zz, 'o3', winter));
  });

  it('quietens noise at night, warms in the afternoon and dries as it warms', () => {
    const at = (h: number) => (s: Sample) => s.hour === h;
    const promenade = year('nice-promenade-des-anglais');
    expect(mean(promenade, 'noise_laeq', at(15)) - mean(promenade, 'noise_laeq', at(3))).toBeGreaterThan(6);
    const arson = year('nice-arson');
    expect(mean(arson, 'temperature', at(15))).toBeGreaterThan(mean(arson, 'temperature', at(5)) + 4);
    expect(mean(arson, 'humidity', at(15))).toBeLessThan(mean(arson, 'humidity', at(5)) - 8);
    const january = (s: Sample) => s.dayOfYear <= 31;
    const july = (s: Sample) => s.dayOfYear >= 182 && s.dayOfYear < 213;
    const zz = year('zhengzhou-shi-jiancezhan');
    expect(mean(zz, 'temperature', july) - mean(zz, 'temperature', january)).toBeGreaterThan(20);
  });

  it('correlates consecutive 5-minute readings (smooth noise, not white noise)', () => {
    const model = modelFor(station('zhengzhou-shi-jiancezhan'));
    const series = Array.from(
      { length: 2000 },
      (_, i) => model.valuesAt(YEAR_START + i * 5 * 60_000).pm25 ?? Number.NaN,
    );
    const steps = series.slice(1).map((v, i) => Math.abs(v - (series[i] ?? v)));
    const meanStep = steps.reduce((a, b) => a + b, 0) / steps.length;
    const meanValue = series.reduce((a, b) => a + b, 0) / series.length;
    // Independent log-normal draws would jump by ~40 % of the mean from one reading to the next.
    expect(meanStep / meanValue).toBeLessThan(0.08);
  });

  it('produces payloads that the ingest decoder accepts as they are', () => {
    for (const s of [...stationsOf('nice'), ...stationsOf('zhengzhou')]) {
      const ts = Date.UTC(2026, 6, 1, 6, 30);
      const values = modelFor(s).valuesAt(ts);
      const payload = new TextEncoder().encode(nativeReadingPayload(ts, values, 3));
      const result = decodeNativePayload(payload, {
        city: s.city,
        deviceId: s.id,
        receivedAt: ts + 200,
        timePolicy: DEFAULT_TIME_POLICY,
      });
      if (!result.ok) throw new Error(`${s.id}: ${JSON.stringify(result.problems)}`);
      expect(result.readings).toHaveLength(s.metrics.length);
      for (const reading of result.readings) {
        expect(reading.ts).toBe(ts);
        expect(reading.value).toBe(values[reading.metric]);
      }
    }
  });
});
