import type { SimulatedValues } from './value-model.ts';

/**
 * The native device payload (domain/payload-formats/native-payload.ts) as a simulated device sends
 * it: RFC 3339 UTC time, values in canonical units, and a per-device sequence number so gaps and
 * QoS 1 redeliveries can be told apart downstream.
 */
export function nativeReadingPayload(ts: number, values: SimulatedValues, seq: number): string {
  return JSON.stringify({ ts: new Date(ts).toISOString(), values, seq });
}
