import type { ErrorCode } from './errors.ts';
import type { MetricId } from './metrics.ts';

/** Where a reading's time came from: the payload ('device') or ingest's receive clock ('receive'). */
export type TimeSource = 'device' | 'receive';

/** One validated measurement in canonical units. `ts` is epoch milliseconds, UTC. */
export interface Reading {
  readonly ts: number;
  readonly city: string;
  readonly deviceId: string;
  readonly metric: MetricId;
  readonly value: number;
  /**
   * Where `ts` came from. Absent means the payload's own time ('device'). 'receive' means the payload
   * had no absolute time and ingest's receive time (or an offset from it) was used instead.
   */
  readonly timeSource?: TimeSource;
}

/** Why one part of a message was refused. `path` points into the payload (e.g. `values.pm25`). */
export interface Problem {
  readonly code: ErrorCode;
  readonly message: string;
  readonly path?: string;
}

/** A refused message, kept so device owners can see what to fix. */
export interface Rejection {
  /** Epoch milliseconds, UTC, when the message reached ingest. */
  readonly receivedAt: number;
  readonly city: string;
  readonly deviceId: string;
  readonly topic: string;
  /** Code of the first problem; `reason` lists all of them. */
  readonly code: ErrorCode;
  /** Every problem found (truncated to MAX_KEPT_REASON_CHARS). */
  readonly reason: string;
  /** The payload as received (UTF-8, truncated to MAX_KEPT_PAYLOAD_CHARS). */
  readonly payload: string;
}

export const MAX_KEPT_PAYLOAD_CHARS = 2048;
/** A reason lists every problem; a payload with thousands of bad keys must not make it megabytes. */
export const MAX_KEPT_REASON_CHARS = 1024;

/** `text` cut to `max` characters, with an ellipsis when something was cut. */
export function truncateText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export type DecodeResult =
  | {
      readonly ok: true;
      readonly readings: readonly Reading[];
      /** Low-cardinality device metadata found in the payload (sensor model, firmware, …). */
      readonly meta?: Readonly<Record<string, string>>;
    }
  | { readonly ok: false; readonly problems: readonly Problem[] };

export function describeProblems(problems: readonly Problem[]): string {
  return problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
}

export function toRejection(
  problems: readonly Problem[],
  message: { receivedAt: number; city: string; deviceId: string; topic: string; payload: Uint8Array },
): Rejection {
  const first = problems[0];
  const text = Buffer.from(
    message.payload.buffer,
    message.payload.byteOffset,
    message.payload.byteLength,
  ).toString('utf8');
  return {
    receivedAt: message.receivedAt,
    city: message.city,
    deviceId: message.deviceId,
    topic: message.topic,
    code: first?.code ?? 'INGEST_INVALID_PAYLOAD',
    // A reason may quote the payload (a bad value, an unknown key): it is bounded too.
    reason: truncateText(describeProblems(problems), MAX_KEPT_REASON_CHARS),
    payload: truncateText(text, MAX_KEPT_PAYLOAD_CHARS),
  };
}
