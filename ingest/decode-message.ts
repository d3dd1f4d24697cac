import type { CityCatalog } from '../domain/cities.ts';
import type { PayloadFormat } from '../domain/payload-format.ts';
import { decoderFor } from '../domain/payload-formats/decoder-registry.ts';
import {
  MAX_KEPT_PAYLOAD_CHARS,
  type Problem,
  type Reading,
  type Rejection,
  toRejection,
} from '../domain/reading.ts';
import type { TimePolicy } from '../domain/timestamps.ts';
import { parseReadingsTopic } from '../domain/topics.ts';

/**
 * Largest payload ingest decodes. Device messages are a few hundred bytes; anything far larger is
 * a misbehaving client, refused before JSON parsing so it cannot tie up the event loop.
 */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** Enough bytes to hold MAX_KEPT_PAYLOAD_CHARS characters of any UTF-8 text, plus one to mark truncation. */
const KEPT_PAYLOAD_BYTES = (MAX_KEPT_PAYLOAD_CHARS + 1) * 4;

export interface MessageContext {
  readonly cities: CityCatalog;
  /** The payload format a device is registered with. May reject (registry unreadable): the message is then left for redelivery. */
  readonly formatOf: (deviceId: string) => Promise<PayloadFormat>;
  readonly timePolicy: TimePolicy;
}

export interface IncomingMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  /** Epoch ms when ingest received it. */
  readonly receivedAt: number;
}

export type MessageOutcome =
  | {
      readonly kind: 'readings';
      readonly city: string;
      readonly readings: readonly Reading[];
      /** Device metadata the payload reported (firmware, sensor model, …), when it had any. */
      readonly meta?: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'rejection'; readonly rejection: Rejection };

/** Turns one MQTT message into readings to store or a rejection to keep. Never throws on any payload. */
export async function decodeMessage(message: IncomingMessage, ctx: MessageContext): Promise<MessageOutcome> {
  const route = parseReadingsTopic(message.topic);
  if (route === undefined) {
    const [, city = '', deviceId = ''] = message.topic.split('/');
    return reject(message, city, deviceId, {
      code: 'INGEST_BAD_TOPIC',
      message: `"${message.topic}" is not a readings topic (ucap/{city}/{deviceId}/readings)`,
    });
  }
  const { city, deviceId } = route;
  if (!ctx.cities.has(city)) {
    return reject(message, city, deviceId, {
      code: 'INGEST_UNKNOWN_CITY',
      message: `city "${city}" is not in the city catalog (known: ${ctx.cities.ids().join(', ')})`,
    });
  }
  if (message.payload.byteLength > MAX_PAYLOAD_BYTES) {
    return reject(message, city, deviceId, {
      code: 'INGEST_INVALID_PAYLOAD',
      message: `payload is ${message.payload.byteLength} bytes; at most ${MAX_PAYLOAD_BYTES} are accepted`,
    });
  }
  const format = await ctx.formatOf(deviceId);
  const decoder = decoderFor(format);
  if (decoder === undefined) {
    return reject(message, city, deviceId, {
      code: 'INGEST_INVALID_PAYLOAD',
      message: `device is registered with payload format "${format}", which ingest cannot decode yet`,
    });
  }
  const context = { city, deviceId, receivedAt: message.receivedAt, timePolicy: ctx.timePolicy };
  let result: ReturnType<typeof decoder.decode>;
  try {
    result = decoder.decode(message.payload, context);
  } catch (error) {
    // A decoder bug must cost one message, not the worker.
    const detail = error instanceof Error ? error.message : String(error);
    return reject(message, city, deviceId, {
      code: 'INGEST_INVALID_PAYLOAD',
      message: `the ${format} decoder failed on this payload (${detail})`,
    });
  }
  if (!result.ok)
    return { kind: 'rejection', rejection: toRejection(result.problems, keptPart(message, city, deviceId)) };
  const meta =
    result.meta === undefined || Object.keys(result.meta).length === 0 ? {} : { meta: result.meta };
  return { kind: 'readings', city, readings: result.readings, ...meta };
}

function reject(message: IncomingMessage, city: string, deviceId: string, problem: Problem): MessageOutcome {
  return { kind: 'rejection', rejection: toRejection([problem], keptPart(message, city, deviceId)) };
}

function keptPart(message: IncomingMessage, city: string, deviceId: string) {
  return {
    receivedAt: message.receivedAt,
    city,
    deviceId,
    topic: message.topic,
    payload: message.payload.subarray(0, KEPT_PAYLOAD_BYTES),
  };
}
