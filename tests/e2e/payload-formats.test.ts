import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mosquittoPub, runProcess } from '../integration/gateway-fixture.ts';
import { type AllInOneProcess, allocatePorts, pollJson, startAllInOneProcess } from './all-in-one-process.ts';

interface LatestValue {
  deviceId: string;
  metric: string;
  value: number;
  unit: string;
  ts: string;
  timeSource: 'device' | 'receive';
}
interface LatestBody {
  values: LatestValue[];
}
interface RejectionsBody {
  rejections: Array<{ deviceId: string; code: string; reason: string; payload: string }>;
}
interface SensorsBody {
  sensors: Array<{ id: string; format: string | null; meta: Record<string, string> }>;
}

/**
 * NO2 ppb → µg/m³ at the EU reference conditions (Directive 2008/50/EC Annex VI: 293 K, 101.3 kPa),
 * worked out here from first principles rather than imported, so a wrong constant in domain/units.ts
 * shows up: M(NO2) = 14.007 + 2 × 15.999 g/mol (IUPAC abridged standard atomic weights), Vm = R·T/p.
 */
const NO2_MOLAR_MASS = 14.007 + 2 * 15.999;
const MOLAR_VOLUME_L = (8.314462618 * 293.15) / 101.325;
const NO2_UG_M3_PER_PPB = NO2_MOLAR_MASS / MOLAR_VOLUME_L;

const now = new Date();
const nowIso = now.toISOString();
const nowSeconds = Math.floor(now.getTime() / 1000);

interface FormatCase {
  readonly format: 'native' | 'senml' | 'airrohr' | 'ttn' | 'fiware';
  readonly id: string;
  readonly valid: unknown;
  /** metric → value in canonical unit, and where the time came from. */
  readonly expected: Record<string, number>;
  readonly timeSource: 'device' | 'receive';
  readonly invalid: unknown;
  readonly rejection: { code: string; reason: RegExp };
}

// Real-shaped messages, adapted from tests/fixtures/payload-formats/*.json to this device and the current time.
const CASES: readonly FormatCase[] = [
  {
    format: 'native',
    id: 'e2e-fmt-native',
    valid: { ts: nowIso, values: { pm25: 12.5, no2: 31 } },
    expected: { pm25: 12.5, no2: 31 },
    timeSource: 'device',
    invalid: { ts: nowIso, values: { pm25: -5 } },
    rejection: { code: 'INGEST_OUT_OF_RANGE', reason: /values\.pm25/ },
  },
  {
    format: 'senml',
    id: 'e2e-fmt-senml',
    valid: [
      { bn: 'urn:dev:e2e-fmt-senml:', bt: nowSeconds, n: 'no2', u: 'ppb', v: 21 },
      { n: 'pressure', u: 'Pa', v: 101325 },
      { n: 'temperature', u: 'Cel', v: 8.5 },
    ],
    expected: { no2: 21 * NO2_UG_M3_PER_PPB, pressure: 1013.25, temperature: 8.5 },
    timeSource: 'device',
    invalid: [{ bt: nowSeconds, n: 'no2', u: 'furlong', v: 21 }],
    rejection: { code: 'INGEST_UNKNOWN_UNIT', reason: /furlong/ },
  },
  {
    format: 'airrohr',
    id: 'e2e-fmt-airrohr',
    valid: {
      esp8266id: '15441092',
      software_version: 'NRZ-2024-135',
      sensordatavalues: [
        { value_type: 'SDS_P1', value: '22.47' },
        { value_type: 'SDS_P2', value: '11.03' },
        { value_type: 'BME280_temperature', value: '-2.31' },
        { value_type: 'BME280_humidity', value: '81.62' },
        { value_type: 'BME280_pressure', value: '101873.44' },
        { value_type: 'samples', value: '5118426' },
        { value_type: 'signal', value: '-71' },
      ],
    },
    expected: { pm10: 22.47, pm25: 11.03, temperature: -2.31, humidity: 81.62, pressure: 1018.7344 },
    timeSource: 'receive',
    invalid: {
      esp8266id: '15441092',
      software_version: 'NRZ-2024-135',
      sensordatavalues: [{ value_type: 'SDS_P1', value: 'nan' }],
    },
    rejection: { code: 'INGEST_INVALID_PAYLOAD', reason: /sensordatavalues\[0\]\.value.*"nan"/ },
  },
  {
    format: 'ttn',
    id: 'e2e-fmt-ttn',
    valid: {
      end_device_ids: {
        device_id: 'e2e-fmt-ttn',
        application_ids: { application_id: 'ucap-e2e' },
        dev_eui: '0004A30B001C0530',
      },
      received_at: nowIso,
      uplink_message: {
        f_cnt: 7,
        frm_payload: 'gkHe',
        decoded_payload: { pm25: 12.3, no2_ppb: 21, temperature_f: 50, pressure_pa: 101325 },
        rx_metadata: [{ gateway_ids: { gateway_id: 'gtw1' }, time: nowIso, rssi: -70 }],
      },
    },
    expected: { pm25: 12.3, no2: 21 * NO2_UG_M3_PER_PPB, temperature: 10, pressure: 1013.25 },
    timeSource: 'device',
    invalid: {
      end_device_ids: { device_id: 'e2e-fmt-ttn' },
      received_at: nowIso,
      uplink_message: { decoded_payload: { pm25: '12.3' } },
    },
    rejection: { code: 'INGEST_INVALID_PAYLOAD', reason: /decoded_payload\.pm25.*strings/ },
  },
  {
    format: 'fiware',
    id: 'e2e-fmt-fiware',
    valid: {
      id: 'urn:ngsi-ld:AirQualityObserved:e2e-fmt-fiware',
      type: 'AirQualityObserved',
      dateObserved: { type: 'Property', value: { '@type': 'DateTime', '@value': nowIso } },
      NO2: { type: 'Property', value: 21, unitCode: '61' },
      temperature: { type: 'Property', value: 50, unitCode: 'FAH' },
      atmosphericPressure: { type: 'Property', value: 101325, unitCode: 'PAL' },
    },
    expected: { no2: 21 * NO2_UG_M3_PER_PPB, temperature: 10, pressure: 1013.25 },
    timeSource: 'device',
    invalid: {
      id: 'urn:ngsi-ld:AirQualityObserved:e2e-fmt-fiware',
      type: 'AirQualityObserved',
      dateObserved: nowIso,
      NO2: { type: 'Property', value: 21, unitCode: 'XYZ' },
    },
    rejection: { code: 'INGEST_UNKNOWN_UNIT', reason: /XYZ/ },
  },
];

describe('every payload format through npm start, mosquitto_pub and the API', () => {
  let dataDir: string;
  let app: AllInOneProcess | undefined;
  let env: NodeJS.ProcessEnv;
  const passwords = new Map<string, string>();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ucap-e2e-formats-'));
    env = { DATA_DIR: dataDir, SIMULATE: 'false' };
    app = await startAllInOneProcess(env, await allocatePorts());
  });

  afterEach(({ task }) => {
    // The pipeline is asynchronous: when a poll times out, the process log says where a message went.
    if (task.result?.state === 'fail') console.error(`npm start log:\n${app?.logs.slice(-80).join('\n')}`);
  });

  afterAll(async () => {
    if (app) expect(await app.interrupt()).toBe(0);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const publish = async (c: FormatCase, message: unknown) => {
    if (!app) throw new Error('not started');
    const password = passwords.get(c.id);
    if (password === undefined) throw new Error(`${c.id} was not provisioned`);
    const topic = `ucap/nice/${c.id}/readings`;
    const result = await mosquittoPub(app.mqttPort, c.id, password, topic, JSON.stringify(message), 1);
    expect(result.code, result.stderr).toBe(0);
  };

  it.each(CASES)('provisions a $format device with the CLI', async (c) => {
    const args = ['bin/ucap.js', 'devices', 'add', '--city', 'nice', '--id', c.id, '--format', c.format];
    const added = await runProcess(process.execPath, args, { env: { ...process.env, ...env } });
    expect(added.code, added.stderr).toBe(0);
    passwords.set(c.id, (JSON.parse(added.stdout) as { password: string }).password);
  });

  it.each(CASES)('reads a $format message back in canonical units', async (c) => {
    await publish(c, c.valid);
    const metrics = Object.keys(c.expected).sort();
    const body = await pollJson<LatestBody>(
      `${app?.apiUrl}/v1/latest?city=nice&device=${c.id}`,
      (b) => b.values.length === metrics.length,
    );
    expect(body.values.map((v) => v.metric)).toEqual(metrics);
    for (const v of body.values) {
      expect(v.value, v.metric).toBeCloseTo(c.expected[v.metric] ?? Number.NaN, 2);
      expect(v.timeSource, v.metric).toBe(c.timeSource);
      // Stamped with now (device time) or the receive time: either way within a minute of the test.
      expect(Math.abs(Date.parse(v.ts) - now.getTime()), v.metric).toBeLessThan(60_000);
    }
  });

  it('converts NO2 with the EU reference factor, not the US 25 °C one', async () => {
    const body = await pollJson<LatestBody>(
      `${app?.apiUrl}/v1/latest?city=nice&device=e2e-fmt-senml&metric=no2`,
      (b) => b.values.length === 1,
    );
    expect(body.values[0]?.unit).toBe('µg/m³');
    expect(body.values[0]?.value).toBeCloseTo(40.16, 1);
    expect(body.values[0]?.value).not.toBeCloseTo(21 * 1.88, 1);
  });

  it.each(CASES)('lists an invalid $format message as a rejection with its reason', async (c) => {
    await publish(c, c.invalid);
    const body = await pollJson<RejectionsBody>(
      `${app?.apiUrl}/v1/rejections?city=nice&device=${c.id}`,
      (b) => b.rejections.length >= 1,
    );
    expect(body.rejections).toHaveLength(1);
    expect(body.rejections[0]?.code).toBe(c.rejection.code);
    expect(body.rejections[0]?.reason).toMatch(c.rejection.reason);
    expect(JSON.parse(body.rejections[0]?.payload ?? 'null')).toEqual(c.invalid);
  });

  it('shows the firmware and TTN identity the devices reported in /v1/sensors', async () => {
    const body = await pollJson<SensorsBody>(
      `${app?.apiUrl}/v1/sensors?city=nice`,
      (b) =>
        b.sensors.find((s) => s.id === 'e2e-fmt-airrohr')?.meta.firmware !== undefined &&
        b.sensors.find((s) => s.id === 'e2e-fmt-ttn')?.meta.dev_eui !== undefined,
      10_000,
    );
    const airrohr = body.sensors.find((s) => s.id === 'e2e-fmt-airrohr');
    expect(airrohr?.format).toBe('airrohr');
    expect(airrohr?.meta).toMatchObject({ firmware: 'NRZ-2024-135', chip_id: '15441092' });
    expect(body.sensors.find((s) => s.id === 'e2e-fmt-ttn')?.meta).toMatchObject({
      dev_eui: '0004A30B001C0530',
      application_id: 'ucap-e2e',
    });
  });
});
