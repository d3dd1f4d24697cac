import type { DuckDBConnection } from '@duckdb/node-api';
import type { Reading } from '../../domain/reading.ts';

/**
 * The newest reading time stored per series (city, device, metric). The embedded store is opened
 * by one process only, so this in-memory view is complete: a reading newer than its series'
 * watermark cannot be stored yet and is simply appended; only older ones (a resend after a lost
 * PUBACK, late data, an import of the past) take the slower replace path. Live devices send in
 * time order, so nearly every write is append-only.
 */
export class SeriesWatermarks {
  readonly #newest = new Map<string, number>();

  static async load(connection: DuckDBConnection): Promise<SeriesWatermarks> {
    const marks = new SeriesWatermarks();
    const result = await connection.runAndReadAll(
      'SELECT city, device_id, metric, max(ts)::DOUBLE FROM readings GROUP BY ALL',
    );
    for (const [city, deviceId, metric, ts] of result.getRows()) {
      marks.#newest.set(keyOf(String(city), String(deviceId), String(metric)), Number(ts));
    }
    return marks;
  }

  /** Whether a reading with this time may already be stored. */
  mayExist(reading: Reading): boolean {
    const newest = this.#newest.get(keyOf(reading.city, reading.deviceId, reading.metric));
    return newest !== undefined && reading.ts <= newest;
  }

  /** After a committed write. */
  advance(readings: readonly Reading[]): void {
    for (const r of readings) {
      const key = keyOf(r.city, r.deviceId, r.metric);
      const newest = this.#newest.get(key);
      if (newest === undefined || r.ts > newest) this.#newest.set(key, r.ts);
    }
  }
}

function keyOf(city: string, deviceId: string, metric: string): string {
  return `${city}\u0000${deviceId}\u0000${metric}`;
}
