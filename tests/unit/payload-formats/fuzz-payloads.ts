import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';

/**
 * Payload generators for decoder-fuzz.test.ts: the published examples mutated, payloads shaped like
 * each format but filled from every format's vocabulary (so decoders meet each other's words and
 * Object.prototype names in every slot), free JSON, truncated text and random bytes.
 */
export const FUZZ_NOW = Date.parse('2026-11-29T08:00:00Z');

export interface FuzzPayload {
  readonly raw: Uint8Array;
  readonly receivedAt: number;
}

interface Seed {
  readonly payload: unknown;
  readonly receivedAt: number;
}

const FIXTURE_DIR = join(import.meta.dirname, '../../fixtures/payload-formats');
const SEEDS: Seed[] = readdirSync(FIXTURE_DIR)
  .filter((name) => name.endsWith('.json'))
  .flatMap((name) => JSON.parse(readFileSync(join(FIXTURE_DIR, name), 'utf8')).cases)
  .filter((c: { payload?: unknown }) => c.payload !== undefined)
  .map((c: { payload: unknown; receivedAt: string }) => ({
    payload: c.payload,
    receivedAt: Date.parse(c.receivedAt),
  }));
SEEDS.push({
  payload: { ts: '2026-11-29T08:00:00Z', values: { pm25: 12.3, no2: 40 } },
  receivedAt: FUZZ_NOW,
});

const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  '',
];
const METRIC_NAMES = [
  'pm25',
  'pm2.5',
  'PM25',
  'pm10',
  'no2',
  'NO2',
  'o3',
  'so2',
  'co',
  'CO',
  'temperature',
  'temp',
];
const MORE_METRIC_NAMES = ['humidity', 'relativeHumidity', 'pressure', 'LAeq', 'noise_laeq', 'temperature_1'];
const UNITS = [
  'Cel',
  '%RH',
  'ug/m3',
  'mg/m3',
  'ppb',
  'ppm',
  '/',
  'K',
  'hPa',
  'Pa',
  'dB',
  'Bspl',
  '%',
  '/100',
];
const CODES = ['GQ', 'GP', '61', '59', 'P1', 'C62', 'CEL', 'FAH', 'KEL', 'PAL', 'A97', '2N', 'XYZ'];
const VALUE_TYPES = [
  'SDS_P1',
  'SDS_P2',
  'PMS_P2',
  'BME280_pressure',
  'BME280_humidity',
  'DNMS_noise_LAeq',
  'P1',
];
const TTN_KEYS = [
  'no2_ppb',
  'co_ppm',
  'temperature_f',
  'pressure_pa',
  'relative_humidity_2',
  'barometric_pressure_3',
];
const TIMES = [
  '2026-11-29T08:00:00Z',
  '2026-11-29T08:59:00+01:00',
  '2026-11-29T08:00:00',
  '2026-11-29T07:00:00Z/2026-11-29T08:00:00Z',
  '2026-11-29T07:00:00Z/PT1H',
  '2030-01-01T00:00:00Z',
  'yesterday',
];
const word = fc.constantFrom(
  ...PROTOTYPE_NAMES,
  ...METRIC_NAMES,
  ...MORE_METRIC_NAMES,
  ...UNITS,
  ...CODES,
  ...VALUE_TYPES,
  ...TTN_KEYS,
  ...TIMES,
  ...['dev1', 'dev2', 'urn:dev:ow:1:', '/3303/0/', '5700', 'x_', 'AirQualityObserved', 'NoiseLevelObserved'],
  ...['12.30', '-2.5', 'nan', '1e3', ' 7 '],
);
const key = fc.oneof(word, fc.string({ maxLength: 6 }));
const plausible = fc.double({ min: -50, max: 1500, noNaN: true });
const hostile = fc.constantFrom(
  0,
  -0,
  -1,
  1e308,
  -1e308,
  5e-324,
  2 ** 28,
  2 ** 28 - 1,
  2 ** 53,
  1795939200,
  FUZZ_NOW,
  FUZZ_NOW * 1e6,
  8.64e15,
  1e20,
);
const number = fc.oneof({ weight: 3, arbitrary: plausible }, { weight: 1, arbitrary: hostile });
const scalar = fc.oneof(word, number, fc.boolean(), fc.constant(null));
const time = fc.oneof(fc.constantFrom(...TIMES), number, word);

const anyJson = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('node'), { maxLength: 5 }),
  object: fc.dictionary(key, tie('node'), { maxKeys: 6 }),
})).node;

// Format-shaped payloads are mostly valid, with a hostile word or number in some slot: that is
// where a decoder's lookups and conversions run, and where prototype names could slip through.
function mostly<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<T | string | number | boolean | null> {
  return fc.oneof(
    { weight: 6, arbitrary: valid },
    { weight: 1, arbitrary: scalar },
    { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES) },
  );
}
/** Sometimes-present extra fields, merged into a record. */
function sometimes<T extends object>(extra: fc.Arbitrary<T>): fc.Arbitrary<T | Record<string, never>> {
  return fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extra });
}
const small = fc.double({ min: 0, max: 100, noNaN: true });
const nearNow = fc.integer({ min: -3600, max: 60 }).map((s) => new Date(FUZZ_NOW + s * 1000).toISOString());

const senmlRecord = fc
  .tuple(
    fc.record({
      n: mostly(fc.constantFrom(...METRIC_NAMES, ...MORE_METRIC_NAMES)),
      u: mostly(fc.constantFrom(...UNITS)),
      v: mostly(small),
    }),
    sometimes(fc.record({ t: mostly(fc.integer({ min: -600, max: 0 })) })),
    sometimes(
      fc.record({
        bn: mostly(fc.constantFrom('urn:dev:x:', '/3303/0/', 'a/')),
        bt: mostly(fc.constant(1795939200)),
      }),
    ),
    sometimes(fc.record({ bu: word, bv: number, vs: word, bver: number, x_: number }, { requiredKeys: [] })),
  )
  .map((parts) => Object.assign({}, ...parts));
const senml = fc.array(senmlRecord, { minLength: 1, maxLength: 5 });

const airrohr = fc.record(
  {
    esp8266id: mostly(fc.constant('15441092')),
    software_version: mostly(fc.constant('NRZ-2024-135')),
    sensordatavalues: fc.array(
      fc.record({
        value_type: mostly(fc.constantFrom(...VALUE_TYPES, 'temperature', 'humidity', 'samples', 'signal')),
        value: mostly(
          fc.oneof(
            small.map((n) => n.toFixed(2)),
            fc.constant('100659.00'),
          ),
        ),
      }),
      { minLength: 1, maxLength: 6 },
    ),
  },
  { requiredKeys: ['sensordatavalues'] },
);

const ttn = fc
  .tuple(
    fc.record({
      end_device_ids: fc.record({
        device_id: mostly(fc.constant('dev1')),
        dev_eui: mostly(fc.constant('0004A30B001C0530')),
      }),
      received_at: mostly(nearNow),
      uplink_message: fc.record({
        decoded_payload: fc.dictionary(
          mostly(fc.constantFrom(...METRIC_NAMES, ...MORE_METRIC_NAMES, ...TTN_KEYS)).map(String),
          mostly(small),
          { maxKeys: 5 },
        ),
      }),
    }),
    sometimes(fc.record({ simulated: scalar, received_at: time })),
  )
  .map(([base, extra]) => ({ ...base, ...extra }));

const fiwareAttribute = mostly(
  fc.oneof(
    small,
    fc.record({
      type: fc.constant('Property'),
      value: mostly(small),
      unitCode: mostly(fc.constantFrom(...CODES)),
    }),
    fc.record({
      value: mostly(small),
      metadata: fc.record({ unitCode: fc.record({ value: mostly(fc.constantFrom(...CODES)) }) }),
    }),
    fc.record({ type: fc.constant('Property'), value: mostly(small), observedAt: mostly(nearNow) }),
  ),
);
const fiwareEntity = fc
  .tuple(
    fc.dictionary(
      mostly(fc.constantFrom(...METRIC_NAMES, ...MORE_METRIC_NAMES)).map(String),
      fiwareAttribute,
      { maxKeys: 5 },
    ),
    fc.record({
      type: mostly(fc.constantFrom('AirQualityObserved', 'NoiseLevelObserved')),
      dateObserved: mostly(fc.oneof(nearNow, fc.constantFrom(...TIMES))),
    }),
    sometimes(
      fc.record({
        dateObservedTo: time,
        measurand: fc.array(word, { maxLength: 3 }),
        sonometerClass: scalar,
      }),
    ),
  )
  .map((parts) => Object.assign({}, ...parts));
const fiware = fc.oneof(
  { weight: 3, arbitrary: fiwareEntity },
  { weight: 1, arbitrary: fc.array(fiwareEntity, { maxLength: 3 }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('Notification'),
      data: fc.array(fiwareEntity, { maxLength: 3 }),
    }),
  },
);
const native = fc.record({
  ts: mostly(nearNow),
  values: fc.dictionary(mostly(fc.constantFrom(...METRIC_NAMES)).map(String), mostly(small), { maxKeys: 5 }),
});

type Mutation = { op: 'delete' | 'replace' | 'stringify' | 'wrap' | 'duplicate'; at: number; with: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('delete', 'replace', 'stringify', 'wrap', 'duplicate'),
  at: fc.nat(),
  with: fc.oneof({ weight: 3, arbitrary: scalar }, { weight: 1, arbitrary: anyJson }),
});

type Container = Record<string, unknown> | unknown[];
function slots(
  node: unknown,
  out: Array<[Container, string | number]> = [],
): Array<[Container, string | number]> {
  if (Array.isArray(node)) {
    node.forEach((child, i) => {
      out.push([node, i]);
      slots(child, out);
    });
  } else if (typeof node === 'object' && node !== null) {
    for (const [k, child] of Object.entries(node)) {
      out.push([node as Record<string, unknown>, k]);
      slots(child, out);
    }
  }
  return out;
}

function mutate(payload: unknown, mutations: readonly Mutation[]): unknown {
  const copy: unknown = structuredClone(payload);
  for (const m of mutations) {
    const all = slots(copy);
    const slot = all[m.at % Math.max(all.length, 1)];
    if (slot === undefined) return m.with;
    const [parent, at] = slot;
    const node = parent as Record<string | number, unknown>;
    if (m.op === 'delete') Array.isArray(parent) ? parent.splice(Number(at), 1) : delete node[at];
    else if (m.op === 'replace') node[at] = m.with;
    else if (m.op === 'stringify')
      node[at] = typeof node[at] === 'number' ? String(node[at]) : JSON.stringify(node[at]);
    else if (m.op === 'wrap') node[at] = [node[at]];
    else if (Array.isArray(parent)) parent.push(structuredClone(node[at]));
  }
  return copy;
}

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value) ?? 'null');
const atNow = (json: unknown): FuzzPayload => ({ raw: encode(json), receivedAt: FUZZ_NOW });
const seed = fc.nat({ max: SEEDS.length - 1 }).map((i) => SEEDS[i] as Seed);

export const fuzzPayload: fc.Arbitrary<FuzzPayload> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(seed, fc.array(mutation, { minLength: 1, maxLength: 3 }))
      .map(([s, ms]) => ({ raw: encode(mutate(s.payload, ms)), receivedAt: s.receivedAt })),
  },
  { weight: 4, arbitrary: fc.oneof(senml, airrohr, ttn, fiware, native).map(atNow) },
  { weight: 1, arbitrary: anyJson.map(atNow) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(atNow) },
  {
    weight: 1,
    arbitrary: fc.tuple(seed, fc.nat()).map(([s, cut]) => {
      const text = encode(s.payload);
      return { raw: text.slice(0, cut % (text.length + 1)), receivedAt: s.receivedAt };
    }),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((raw) => ({ raw, receivedAt: FUZZ_NOW })) },
);
