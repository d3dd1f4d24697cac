import { Point } from '@influxdata/influxdb-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MetricId } from '../../domain/metrics.ts';
import type { Reading, Rejection } from '../../domain/reading.ts';
import { encodeIndexDetail } from '../../store/index-detail.ts';
import type { IndexRow } from '../../store/index-row.ts';
import { aqiLine, chunksOf } from '../../store/influxdb/influx-aqi-sink.ts';
import {
  createRejectionLines,
  quoteIdent,
  quoteString,
  READINGS,
  REJECTIONS,
  readingLine,
} from '../../store/influxdb/influx-schema.ts';

/**
 * The reading and rejection lines are built as text for speed; they must stay byte for byte what
 * @influxdata/influxdb-client's Point writes (the builder they replace), on the values that need
 * escaping most.
 */
function tagValue(text: string): string {
  return text.endsWith('\\') ? `${text}\uFFFD` : text;
}

function pointReadingLine(r: Reading): string | undefined {
  return new Point(READINGS)
    .tag('city', tagValue(r.city))
    .tag('device', tagValue(r.deviceId))
    .tag('metric', tagValue(r.metric))
    .floatField('value', r.value)
    .stringField('time_source', r.timeSource ?? 'device')
    .timestamp(String(r.ts))
    .toLineProtocol();
}

function pointRejectionLine(r: Rejection, ns: string): string | undefined {
  return new Point(REJECTIONS)
    .tag('city', tagValue(r.city))
    .tag('device', tagValue(r.deviceId))
    .tag('code', tagValue(r.code))
    .stringField('reason', r.reason)
    .stringField('topic', r.topic)
    .stringField('payload', r.payload)
    .timestamp(ns)
    .toLineProtocol();
}

const TRICKY = [
  '',
  'plain',
  'a b',
  'a,b',
  'a=b',
  'ends\\',
  'mid\\dle',
  '"quoted"',
  "it's",
  'line\nbreak',
  'cr\rtab\t',
  '  ',
  '=,=',
  '郑州-设备',
  'émoji 🌫️',
  '\\,\\=\\ ',
];

describe('reading lines', () => {
  it('match Point byte for byte on tricky tag values', () => {
    for (const city of TRICKY) {
      for (const deviceId of TRICKY) {
        const reading: Reading = { ts: 1_770_000_000_123, city, deviceId, metric: 'pm25', value: 35.4 };
        expect(readingLine(reading)).toBe(pointReadingLine(reading));
      }
    }
  });

  it('match Point on any string, value and time source', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: 'grapheme' }),
        fc.constantFrom<MetricId>('pm25', 'no2', 'temperature'),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.constantFrom(undefined, 'device' as const, 'receive' as const),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        (city, deviceId, metric, value, timeSource, ts) => {
          const reading: Reading = {
            ts,
            city,
            deviceId,
            metric,
            value,
            ...(timeSource === undefined ? {} : { timeSource }),
          };
          expect(readingLine(reading)).toBe(pointReadingLine(reading));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuse what InfluxDB could not store', () => {
    const ok: Reading = { ts: 1, city: 'nice', deviceId: 'd', metric: 'pm25', value: 1 };
    expect(() => readingLine({ ...ok, value: Number.NaN })).toThrow(/not a finite number/);
    expect(() => readingLine({ ...ok, ts: 1.5 })).toThrow(/whole number of epoch milliseconds/);
  });
});

describe('rejection lines', () => {
  it('match Point byte for byte, sequence in the sub-millisecond digits', () => {
    const line = createRejectionLines(41);
    let sequence = 41;
    for (const text of TRICKY) {
      const rejection: Rejection = {
        receivedAt: 1_770_000_000_123,
        city: text,
        deviceId: text,
        topic: `ucap/${text}`,
        code: 'INGEST_INVALID_PAYLOAD',
        reason: text,
        payload: `{"x":"${text}"}`,
      };
      sequence += 1;
      const ns = (BigInt(rejection.receivedAt) * 1_000_000n + BigInt(sequence)).toString();
      expect(line(rejection)).toBe(pointRejectionLine(rejection, ns));
    }
  });
});

describe('index-series (aqi) lines', () => {
  it('match Point byte for byte, city rows without a device tag', () => {
    for (const deviceId of [undefined, 'zz 1', 'a,b=c']) {
      const row: IndexRow = {
        ts: 1_764_518_400_000,
        city: 'zhengzhou',
        ...(deviceId === undefined ? {} : { deviceId }),
        standard: 'hj633',
        every: '1d',
        version: '2026',
        value: 51,
        level: 2,
        primary: ['pm25', 'o3_8h'],
        incomplete: false,
        subIndices: { pm25: 51, o3_8h: 51 },
        date: '2025-12-01',
        result: { standard: 'hj633', version: '2026' } as unknown as IndexRow['result'],
        devices: ['zz 1'],
      };
      const point = new Point('aqi')
        .tag('city', row.city)
        .tag('scope', deviceId === undefined ? 'city' : 'device')
        .tag('standard', row.standard)
        .tag('every', row.every)
        .stringField('detail', encodeIndexDetail(row))
        .floatField('value', 51)
        .floatField('level', 2)
        .stringField('version', row.version)
        .stringField('primary', row.primary.join(','))
        .booleanField('incomplete', row.incomplete)
        .floatField('si_pm25', 51)
        .floatField('si_o3_8h', 51)
        .timestamp(String(row.ts));
      if (deviceId !== undefined) point.tag('device', deviceId);
      expect(aqiLine(row)).toBe(point.toLineProtocol());
    }
  });
});

describe('InfluxQL quoting', () => {
  it('escapes the four characters InfluxQL knows in quoted text', () => {
    expect(quoteString('it\'s \\ "x"\nnext')).toBe("'it\\'s \\\\ \\\"x\\\"\\nnext'");
    expect(quoteIdent('my "db"')).toBe('"my \\"db\\""');
  });
});

describe('index-series writes', () => {
  it('split a month of large lines into requests InfluxDB accepts, keeping every line in order', () => {
    const lines = Array.from({ length: 30_000 }, (_, k) => `aqi,city=nice detail="${'x'.repeat(1500)}" ${k}`);
    const chunks = chunksOf(lines);
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) expect(chunk.join('\n').length).toBeLessThanOrEqual(4 * 2 ** 20);
    expect(chunks.flat()).toEqual(lines);
  });
});
