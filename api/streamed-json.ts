import { Readable } from 'node:stream';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { FastifyReply } from 'fastify';

/**
 * Sends `{ ...head, [key]: items }` as JSON written item by item, letting the event loop run
 * between slices of items: a month of hourly points for a city (~7 MB of JSON) built and
 * stringified at once held the loop for ~100 ms, which in `npm start` is the devices' PUBACK time
 * too. The bytes are those JSON.stringify would give for the whole object.
 */
export function sendJsonWithStreamedList<T>(
  reply: FastifyReply,
  head: Record<string, unknown>,
  key: string,
  items: readonly T[],
  /** One item's JSON text (e.g. JSON.stringify of it, or text built from pre-serialised parts). */
  serialize: (item: T) => string,
): FastifyReply {
  const opening = JSON.stringify(head);
  const prefix = `${opening.slice(0, -1)}${opening.length > 2 ? ',' : ''}${JSON.stringify(key)}:[`;
  // Bytes, encoded once here: a string chunk is measured (Buffer.byteLength) by the HTTP layer for
  // its chunk header, then encoded again by the socket.
  async function* chunks(): AsyncGenerator<Buffer> {
    let text = prefix;
    for (let i = 0; i < items.length; i += 1) {
      text += `${i === 0 ? '' : ','}${serialize(items[i] as T)}`;
      if (text.length >= SLICE_CHARS) {
        yield Buffer.from(text, 'utf8');
        text = '';
        await yieldToEventLoop();
      }
    }
    yield Buffer.from(`${text}]}`, 'utf8');
  }
  return reply.type('application/json; charset=utf-8').send(Readable.from(chunks()));
}

/** About what one slice of work writes before other events get their turn. */
const SLICE_CHARS = 256 * 1024;
