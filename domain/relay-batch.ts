import { z } from 'zod';

/** One device message as the gateway received it. */
export interface RelayedMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  /** Epoch ms when the gateway received it. */
  readonly receivedAt: number;
}

export interface RelayBatch {
  readonly batchId: number;
  readonly messages: readonly RelayedMessage[];
}

/**
 * Binary, not JSON: payloads are bytes (any format, kept byte for byte for rejections) and a batch
 * holds thousands of messages, so length-prefixed fields cost no escaping and no base64.
 *
 *   "UCR1" | u32 batchId | u32 count | count × (f64 receivedAt | u16 topic bytes | topic | u32 payload bytes | payload)
 */
const MAGIC = Buffer.from('UCR1', 'latin1');
const HEADER_BYTES = 12;
const PER_MESSAGE_BYTES = 14;

export function relayBatchBytes(messages: readonly RelayedMessage[]): number {
  let bytes = HEADER_BYTES;
  for (const m of messages) bytes += PER_MESSAGE_BYTES + Buffer.byteLength(m.topic) + m.payload.byteLength;
  return bytes;
}

export function encodeRelayBatch(batch: RelayBatch): Buffer {
  const out = Buffer.allocUnsafe(relayBatchBytes(batch.messages));
  MAGIC.copy(out, 0);
  out.writeUInt32BE(batch.batchId, 4);
  out.writeUInt32BE(batch.messages.length, 8);
  let at = HEADER_BYTES;
  for (const m of batch.messages) {
    out.writeDoubleBE(m.receivedAt, at);
    const topicBytes = out.write(m.topic, at + 10, 'utf8');
    out.writeUInt16BE(topicBytes, at + 8);
    at += 10 + topicBytes;
    out.writeUInt32BE(m.payload.byteLength, at);
    out.set(m.payload, at + 4);
    at += 4 + m.payload.byteLength;
  }
  return out;
}

/** Throws a RangeError naming what is wrong when the bytes are not a whole relay batch. */
export function decodeRelayBatch(bytes: Uint8Array): RelayBatch {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.byteLength < HEADER_BYTES || !buf.subarray(0, 4).equals(MAGIC)) {
    throw new RangeError('not a relay batch (bad magic); is the gateway the same version as ingest?');
  }
  const batchId = buf.readUInt32BE(4);
  const count = buf.readUInt32BE(8);
  const messages: RelayedMessage[] = [];
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i += 1) {
    if (at + 10 > buf.byteLength) throw new RangeError(`relay batch ${batchId} is truncated at message ${i}`);
    const receivedAt = buf.readDoubleBE(at);
    const topicBytes = buf.readUInt16BE(at + 8);
    const topic = buf.toString('utf8', at + 10, at + 10 + topicBytes);
    at += 10 + topicBytes;
    if (at + 4 > buf.byteLength) throw new RangeError(`relay batch ${batchId} is truncated at message ${i}`);
    const payloadBytes = buf.readUInt32BE(at);
    const payload = buf.subarray(at + 4, at + 4 + payloadBytes);
    if (payload.byteLength !== payloadBytes)
      throw new RangeError(`relay batch ${batchId} is truncated at message ${i}`);
    at += 4 + payloadBytes;
    messages.push({ topic, payload, receivedAt });
  }
  if (at !== buf.byteLength)
    throw new RangeError(`relay batch ${batchId} has ${buf.byteLength - at} stray bytes`);
  return { batchId, messages };
}

/** What a worker answers once a batch is settled: ok = every message durable (readings or rejection). */
export const relayConfirmationSchema = z.object({
  batch: z.number().int().nonnegative(),
  ok: z.boolean(),
});
export type RelayConfirmation = z.infer<typeof relayConfirmationSchema>;

export function encodeRelayConfirmation(confirmation: RelayConfirmation): Buffer {
  return Buffer.from(JSON.stringify(confirmation));
}

export function decodeRelayConfirmation(bytes: Uint8Array): RelayConfirmation | undefined {
  try {
    const parsed = relayConfirmationSchema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
