import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ERROR_CODES } from '../../../domain/errors.ts';
import { METRIC_IDS } from '../../../domain/metrics.ts';
import { PAYLOAD_FORMATS } from '../../../domain/payload-format.ts';
import { decoderFor, supportedFormats } from '../../../domain/payload-formats/decoder-registry.ts';
import type { DecodeResult } from '../../../domain/reading.ts';
import { DEFAULT_TIME_POLICY } from '../../../domain/timestamps.ts';

// Table-driven: every case in tests/fixtures/payload-formats/<format>.json is decoded by that
// format's registered decoder and compared with its expected readings or problems.
const FIXTURE_DIR = join(import.meta.dirname, '../../fixtures/payload-formats');

const errorCode = z.enum(
  Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES, ...(keyof typeof ERROR_CODES)[]],
);
const caseSchema = z.object({
  name: z.string(),
  source: z.string(),
  receivedAt: z.iso.datetime(),
  deviceId: z.string().default('dev1'),
  payload: z.unknown().optional(),
  payloadText: z.string().optional(),
  expect: z.union([
    z.object({
      readings: z.array(
        z.object({
          ts: z.iso.datetime(),
          metric: z.enum(METRIC_IDS),
          value: z.number(),
          timeSource: z.literal('receive').optional(),
        }),
      ),
      meta: z.record(z.string(), z.string()).optional(),
    }),
    z.object({
      problems: z.array(z.object({ code: errorCode, path: z.string().optional() })).min(1),
      messageIncludes: z.string().optional(),
    }),
  ]),
});
const fileSchema = z.object({ format: z.enum(PAYLOAD_FORMATS), cases: z.array(caseSchema).min(1) });

const files = readdirSync(FIXTURE_DIR)
  .filter((name) => name.endsWith('.json'))
  .map((name) => fileSchema.parse(JSON.parse(readFileSync(join(FIXTURE_DIR, name), 'utf8'))));

function decode(format: (typeof PAYLOAD_FORMATS)[number], c: z.infer<typeof caseSchema>): DecodeResult {
  const decoder = decoderFor(format);
  if (decoder === undefined) throw new Error(`no decoder for ${format}`);
  const text = c.payloadText ?? JSON.stringify(c.payload);
  return decoder.decode(new TextEncoder().encode(text), {
    city: 'nice',
    deviceId: c.deviceId,
    receivedAt: Date.parse(c.receivedAt),
    timePolicy: DEFAULT_TIME_POLICY,
  });
}

describe('decoder registry', () => {
  it('has a decoder for every payload format, each announcing its own format', () => {
    expect(supportedFormats().sort()).toEqual([...PAYLOAD_FORMATS].sort());
    for (const format of PAYLOAD_FORMATS) expect(decoderFor(format)?.format).toBe(format);
  });

  it('has a fixture file for every non-native format', () => {
    expect(files.map((f) => f.format).sort()).toEqual(['airrohr', 'fiware', 'senml', 'ttn']);
  });
});

for (const file of files) {
  describe(`${file.format} fixtures`, () => {
    it.each(file.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const result = decode(file.format, c);
      if ('readings' in c.expect) {
        if (!result.ok) throw new Error(`expected readings, got ${JSON.stringify(result.problems)}`);
        expect(result.readings).toHaveLength(c.expect.readings.length);
        c.expect.readings.forEach((want, i) => {
          const got = result.readings[i];
          expect(got, `reading ${i}`).toMatchObject({
            ts: Date.parse(want.ts),
            city: 'nice',
            deviceId: c.deviceId,
            metric: want.metric,
          });
          expect(got?.value, `reading ${i} value`).toBeCloseTo(want.value, 4);
          expect(got?.timeSource, `reading ${i} timeSource`).toBe(want.timeSource);
        });
        if (c.expect.meta) expect(result.meta).toEqual(c.expect.meta);
      } else {
        if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.readings)}`);
        const wanted = c.expect.problems;
        // A path is compared only where the fixture names one.
        expect(
          result.problems.map((p, i) => ({
            code: p.code,
            path: wanted[i]?.path === undefined ? undefined : p.path,
          })),
        ).toEqual(wanted.map((p) => ({ code: p.code, path: p.path })));
        for (const p of result.problems) expect(p.message.length).toBeGreaterThan(0);
        if (c.expect.messageIncludes) {
          expect(result.problems.map((p) => p.message).join('; ')).toContain(c.expect.messageIncludes);
        }
      }
    });
  });
}
