import type { Duplex } from 'node:stream';

export class FrameTooLargeError extends Error {
  readonly frameBytes: number;
  constructor(frameBytes: number, maxBytes: number) {
    super(`MQTT packet of ${frameBytes} bytes exceeds the ${maxBytes}-byte limit`);
    this.name = 'FrameTooLargeError';
    this.frameBytes = frameBytes;
  }
}

/**
 * Follows the MQTT packet boundaries in a byte stream by reading each fixed header (type byte
 * plus a 1-4 byte "remaining length"), and reports a packet larger than the limit as soon as
 * its header arrives, before its body is buffered anywhere. aedes has no such limit of its own.
 */
export class FrameSizeChecker {
  readonly #maxBytes: number;
  #phase: 'type' | 'length' | 'body' = 'type';
  #length = 0;
  #multiplier = 1;
  #lengthBytes = 0;
  #remaining = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Feeds the next bytes; returns the problem when the stream must be cut. */
  check(chunk: Uint8Array): Error | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.#phase === 'body') {
        const take = Math.min(this.#remaining, chunk.length - i);
        i += take;
        this.#remaining -= take;
        if (this.#remaining === 0) this.#phase = 'type';
      } else if (this.#phase === 'type') {
        i++;
        this.#phase = 'length';
        this.#length = 0;
        this.#multiplier = 1;
        this.#lengthBytes = 0;
      } else {
        const error = this.#readLengthByte(chunk[i++] ?? 0);
        if (error) return error;
      }
    }
    return undefined;
  }

  #readLengthByte(byte: number): Error | undefined {
    this.#length += (byte & 0x7f) * this.#multiplier;
    this.#multiplier *= 128;
    this.#lengthBytes++;
    if (byte & 0x80) return this.#lengthBytes >= 4 ? new Error('malformed MQTT remaining length') : undefined;
    if (this.#length > this.#maxBytes) return new FrameTooLargeError(this.#length, this.#maxBytes);
    this.#remaining = this.#length;
    this.#phase = this.#remaining === 0 ? 'type' : 'body';
    return undefined;
  }
}

/**
 * Installs the check on the socket itself: aedes takes bytes only through `conn.read(null)` on
 * 'readable' (lib/client.js), so every chunk is checked right there before the MQTT parser sees
 * it, and the connection is cut at the first oversized packet. No stream is put in front of
 * aedes: an extra Duplex per connection cost a stream hop per chunk both ways.
 */
export function guardConnection(
  socket: Duplex,
  maxFrameBytes: number,
  onRefused: (error: Error) => void,
): Duplex {
  const checker = new FrameSizeChecker(maxFrameBytes);
  const read = socket.read.bind(socket);
  socket.read = (size?: number) => {
    if (socket.destroyed) return null;
    const chunk: unknown = read(size);
    if (chunk instanceof Uint8Array) {
      const problem = checker.check(chunk);
      if (problem) {
        onRefused(problem);
        socket.destroy();
        return null;
      }
    }
    return chunk;
  };
  return socket;
}
