import type { FleetConnectOptions, FleetTotals, PublishOutcome } from './device-fleet.ts';

/** What the threaded fleet and its workers say to each other (structured-clone friendly). */

export interface FleetWorkerData {
  readonly connect: FleetConnectOptions;
}

/** A sampled QoS 1 message: device, ts, and when it was handed to mqtt.js (epoch ms, fractional). */
export interface PublishSample {
  readonly deviceId: string;
  readonly ts: number;
  readonly sentAt: number;
}

export type FleetCommand =
  | {
      readonly op: 'publish';
      readonly rate: number;
      readonly durationMs: number;
      readonly qos0Share: number;
      readonly sampleEveryMs: number;
    }
  | { readonly op: 'settle'; readonly timeoutMs: number }
  | { readonly op: 'totals' }
  | { readonly op: 'tallies' }
  | { readonly op: 'ackLatencies' }
  | { readonly op: 'close' };

export type FleetRequest = FleetCommand & { readonly id: number };

export interface TallySnapshot {
  readonly id: string;
  readonly city: string;
  readonly sentQos1: number;
  readonly sentQos0: number;
  readonly acked: number;
  readonly failed: number;
  readonly nextSeq: number;
  readonly ackedRuns: ReadonlyArray<readonly [number, number]>;
}

export type FleetReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'samples'; readonly samples: readonly PublishSample[] }
  | {
      readonly kind: 'result';
      readonly id: number;
      readonly result: PublishOutcome | FleetTotals | number | readonly TallySnapshot[] | Float64Array | null;
    }
  | { readonly kind: 'error'; readonly id: number; readonly message: string };
