import { describe, expect, it } from 'vitest';
import { CityCatalog, DEFAULT_CITIES } from '../../domain/cities.ts';
import type { PayloadFormat } from '../../domain/payload-format.ts';
import { MAX_KEPT_PAYLOAD_CHARS } from '../../domain/reading.ts';
import { DEFAULT_TIME_POLICY } from '../../domain/timestamps.ts';
import {
  decodeMessage,
  MAX_PAYLOAD_BYTES,
  type MessageContext,
  type MessageOutcome,
} from '../../ingest/decode-message.ts';

const NOW = Date.parse('2026-11-29T08:00:00Z');
const TOPIC = 'ucap/nice/nice-arson-01/readings';

const formats: Record<string, PayloadFormat> = { 'nice-senml-01': 'senml' };
const ctx: MessageContext = {
  cities: new CityCatalog(DEFAULT_CITIES),
  formatOf: async (deviceId) => formats[deviceId] ?? 'native',
  timePolicy: DEFAULT_TIME_POLICY,
};

function decode(payload: string | Uint8Array, topic = TOPIC): Promise<MessageOutcome> {
  const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  return decodeMessage({ topic, payload: bytes, receivedAt: NOW }, ctx);
}

async function rejectionOf(payload: string | Uint8Array, topic = TOPIC) {
  const outcome = await decode(payload, topic);
  if (outcome.kind !== 'rejection') throw new Error(`expected a rejection, got ${JSON.stringify(outcome)}`);
  return outcome.rejection;
}

describe('ingest message handling', () => {
  it('turns a good message into readings for the city and device named by the topic', async () => {
    const outcome = await decode('{"ts":"2026-11-29T08:59:00+01:00","values":{"pm25":12.5,"no2":40}}');
    expect(outcome).toEqual({
      kind: 'readings',
      city: 'nice',
      readings: [
        {
          ts: Date.parse('2026-11-29T07:59:00Z'),
          city: 'nice',
          deviceId: 'nice-arson-01',
          metric: 'pm25',
          value: 12.5,
        },
        {
          ts: Date.parse('2026-11-29T07:59:00Z'),
          city: 'nice',
          deviceId: 'nice-arson-01',
          metric: 'no2',
          value: 40,
        },
      ],
    });
  });

  it.each([
    ['bad JSON', '{"ts": 1, "values": {', 'INGEST_INVALID_JSON', /not JSON/],
    [
      'pm25 -5',
      '{"ts":"2026-11-29T07:59:00Z","values":{"pm25":-5}}',
      'INGEST_OUT_OF_RANGE',
      /values\.pm25: -5 µg\/m³ is outside/,
    ],
    [
      '"ts":"yesterday"',
      '{"ts":"yesterday","values":{"pm25":5}}',
      'INGEST_BAD_TIMESTAMP',
      /ts: "yesterday" is not an RFC 3339/,
    ],
    [
      'a future ts',
      '{"ts":"2026-11-29T09:00:00Z","values":{"pm25":5}}',
      'INGEST_FUTURE_TIMESTAMP',
      /ahead of the server clock/,
    ],
    [
      'an unknown metric',
      '{"ts":"2026-11-29T07:59:00Z","values":{"pm1":5}}',
      'INGEST_UNKNOWN_METRIC',
      /"pm1" is not a known metric/,
    ],
    ['an empty payload', '', 'INGEST_INVALID_JSON', /not JSON/],
    ['a JSON array', '[1,2,3]', 'INGEST_INVALID_PAYLOAD', /\(root\)/],
  ])('rejects %s with its code and a reason, keeping the payload', async (_name, payload, code, reason) => {
    const rejection = await rejectionOf(payload);
    expect(rejection).toMatchObject({
      receivedAt: NOW,
      city: 'nice',
      deviceId: 'nice-arson-01',
      topic: TOPIC,
      code,
      payload,
    });
    expect(rejection.reason).toMatch(reason);
  });

  it('rejects a topic naming a city outside the catalog', async () => {
    const rejection = await rejectionOf(
      '{"ts":"2026-11-29T07:59:00Z","values":{"pm25":5}}',
      'ucap/paris/p-1/readings',
    );
    expect(rejection).toMatchObject({ city: 'paris', deviceId: 'p-1', code: 'INGEST_UNKNOWN_CITY' });
    expect(rejection.reason).toMatch(/"paris" is not in the city catalog/);
  });

  it('rejects a topic outside the scheme', async () => {
    const rejection = await rejectionOf('{}', 'ucap/nice/bad device/readings');
    expect(rejection).toMatchObject({ code: 'INGEST_BAD_TOPIC', city: 'nice' });
  });

  it('rejects binary (non UTF-8) payloads without throwing', async () => {
    const rejection = await rejectionOf(new Uint8Array([0xff, 0xfe, 0x00, 0x80, 0xc3]));
    expect(rejection.code).toBe('INGEST_INVALID_JSON');
    expect(rejection.reason).toMatch(/UTF-8/);
  });

  it('refuses a huge payload before parsing it and keeps only its beginning', async () => {
    const huge = `{"ts":"2026-11-29T07:59:00Z","values":{"pm25":5},"meta":{"x":"${'a'.repeat(MAX_PAYLOAD_BYTES)}"}}`;
    const rejection = await rejectionOf(huge);
    expect(rejection.code).toBe('INGEST_INVALID_PAYLOAD');
    expect(rejection.reason).toMatch(/at most 262144 are accepted/);
    expect(rejection.payload).toBe(`${huge.slice(0, MAX_KEPT_PAYLOAD_CHARS)}…`);
  });

  it("decodes each device's messages with the format it is registered with", async () => {
    const topic = 'ucap/nice/nice-senml-01/readings';
    const senml = JSON.stringify([
      { n: 'pm25', u: 'ug/m3', v: 14, t: Date.parse('2026-11-29T07:59:00Z') / 1000 },
    ]);
    expect(await decode(senml, topic)).toEqual({
      kind: 'readings',
      city: 'nice',
      readings: [
        {
          ts: Date.parse('2026-11-29T07:59:00Z'),
          city: 'nice',
          deviceId: 'nice-senml-01',
          metric: 'pm25',
          value: 14,
        },
      ],
    });
    // The native contract is not SenML: the same device sending it is refused.
    const native = '{"ts":"2026-11-29T07:59:00Z","values":{"pm25":5}}';
    expect((await rejectionOf(native, topic)).code).toBe('INGEST_INVALID_PAYLOAD');
    // And a native device's SenML is refused too.
    expect((await rejectionOf(senml)).code).toBe('INGEST_INVALID_PAYLOAD');
  });

  it('lets a registry failure through, so the message stays unacknowledged instead of being misfiled', async () => {
    const failing: MessageContext = {
      ...ctx,
      formatOf: () => Promise.reject(new Error('registry unreadable')),
    };
    await expect(
      decodeMessage({ topic: TOPIC, payload: new Uint8Array(), receivedAt: NOW }, failing),
    ).rejects.toThrow('registry unreadable');
  });
});
