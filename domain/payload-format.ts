import type { DecodeResult } from './reading.ts';
import type { TimePolicy } from './timestamps.ts';

/** Payload formats a device can be registered with (issue 3 adds all but native). */
export const PAYLOAD_FORMATS = ['native', 'senml', 'airrohr', 'ttn', 'fiware'] as const;
export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number];

export interface DecodeContext {
  /** City and device come from the topic the gateway authorised, never from the payload. */
  readonly city: string;
  readonly deviceId: string;
  /** Epoch ms when ingest received the message; the reference for timestamp checks. */
  readonly receivedAt: number;
  readonly timePolicy: TimePolicy;
}

/** Turns one MQTT payload into validated readings in canonical units, or the problems found. Pure. */
export interface PayloadDecoder {
  readonly format: PayloadFormat;
  decode(raw: Uint8Array, ctx: DecodeContext): DecodeResult;
}
