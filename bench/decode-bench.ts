import type { DecodeContext } from '../domain/payload-format.ts';
import { decodeNativePayload } from '../domain/payload-formats/native-payload.ts';
import { DEFAULT_TIME_POLICY } from '../domain/timestamps.ts';
import { nativeReadingPayload } from '../simulators/reading-payload.ts';
import type { BenchFigures } from './bench-figures.ts';
import { type BenchTable, formatCount, formatMs } from './bench-format.ts';
import type { BenchProfile } from './bench-profile.ts';
import { perSecond } from './bench-stats.ts';
import { typicalValues } from './synthetic-readings.ts';

interface DecodeCase {
  readonly label: string;
  /** The i-th payload of the case; a pool of distinct payloads defeats any caching of one string. */
  payload(ts: number, i: number): string;
  /** Readings each message must decode to; 0 means every message must be refused. */
  readonly readingsPerMessage: number;
}

const CASES: readonly DecodeCase[] = [
  {
    label: 'station: 10 metrics, RFC 3339 ts, seq (simulator payload)',
    payload: (ts, i) => nativeReadingPayload(ts, typicalValues(i, i % 7), i),
    readingsPerMessage: 10,
  },
  {
    label: 'small sensor: pm25, pm10, temperature, epoch-ms ts',
    payload: (ts, i) => {
      const { pm25, pm10, temperature } = typicalValues(i, i % 7);
      return JSON.stringify({ ts, values: { pm25, pm10, temperature } });
    },
    readingsPerMessage: 3,
  },
  {
    label: 'refused: station with pm25 out of range',
    payload: (ts, i) => nativeReadingPayload(ts, { ...typicalValues(i, i % 7), pm25: -5 }, i),
    readingsPerMessage: 0,
  },
];

const POOL_SIZE = 1000;
const encoder = new TextEncoder();

/** Native payload decode + validation, single-threaded, on pre-encoded payloads (no I/O). */
export async function runDecodeBench(
  profile: BenchProfile,
): Promise<{ table: BenchTable; figures: BenchFigures }> {
  const receivedAt = Date.now();
  const ctx: DecodeContext = {
    city: 'nice',
    deviceId: 'bench-001',
    receivedAt,
    timePolicy: DEFAULT_TIME_POLICY,
  };
  const rows: string[][] = [];
  let figures: BenchFigures = {};
  for (const decodeCase of CASES) {
    const pool = Array.from({ length: POOL_SIZE }, (_, i) =>
      encoder.encode(decodeCase.payload(receivedAt - (POOL_SIZE - i) * 1000, i)),
    );
    decodeMany(pool, ctx, profile.decode.warmupMessages, decodeCase);
    const started = performance.now();
    const readings = decodeMany(pool, ctx, profile.decode.messages, decodeCase);
    const elapsed = performance.now() - started;
    const messagesPerSec = perSecond(profile.decode.messages, elapsed);
    const bytes = pool.reduce((sum, raw) => sum + raw.byteLength, 0) / pool.length;
    rows.push([
      decodeCase.label,
      formatCount(Math.round(bytes)),
      formatCount(profile.decode.messages),
      formatCount(messagesPerSec),
      formatCount(perSecond(readings, elapsed)),
      formatMs((elapsed * 1000) / profile.decode.messages),
    ]);
    if (decodeCase === CASES[0])
      figures = { decode: { messagesPerSec, readingsPerSec: perSecond(readings, elapsed) } };
    await new Promise((resolve) => setImmediate(resolve));
  }
  return {
    table: {
      title: 'Decode: native payload → validated readings (decodeNativePayload, one core)',
      columns: ['payload', 'bytes', 'messages', 'messages/s', 'readings/s', 'µs/message'],
      rows,
    },
    figures,
  };
}

/** Decodes `count` messages from the pool; throws if any outcome is not the one the case expects. */
function decodeMany(
  pool: readonly Uint8Array[],
  ctx: DecodeContext,
  count: number,
  expected: DecodeCase,
): number {
  let readings = 0;
  for (let i = 0; i < count; i++) {
    const result = decodeNativePayload(pool[i % pool.length] as Uint8Array, ctx);
    const got = result.ok ? result.readings.length : 0;
    if (result.ok === (expected.readingsPerMessage === 0) || got !== expected.readingsPerMessage) {
      throw new Error(`decode bench "${expected.label}": message ${i} gave ${JSON.stringify(result)}`);
    }
    readings += got;
  }
  return readings;
}
