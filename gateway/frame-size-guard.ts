import { Duplex } from 'node:stream';

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
 * The stream aedes reads and writes instead of the socket: bytes pass through unchanged, with
 * the socket's backpressure both ways, and the connection is cut at the first oversized packet.
 */
export function guardConnection(
  socket: Duplex,
  maxFrameBytes: number,
  onRefused: (error: Error) => void,
): Duplex {
  const checker = new FrameSizeChecker(maxFrameBytes);
  const conn = new Duplex({
    read: () => socket.resume(),
    writev: (chunks, callback) => {
      socket.cork();
      for (const [i, { chunk }] of chunks.entries())
        socket.write(chunk, i === chunks.length - 1 ? callback : undefined);
      socket.uncork();
    },
    final: (callback) => socket.end(callback),
    destroy: (error, callback) => {
      socket.destroy();
      callback(error);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    const problem = checker.check(chunk);
    if (problem) {
      onRefused(problem);
      conn.destroy();
    } else if (!conn.push(chunk)) {
      socket.pause();
    }
  });
  socket.on('end', () => conn.push(null));
  socket.on('error', (error) => conn.destroy(error));
  socket.on('close', () => conn.destroy());
  socket.pause();
  return conn;
}
