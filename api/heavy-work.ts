import type { FastifyReply } from 'fastify';
import { UcapError } from '../domain/errors.ts';

export interface HeavyWorkLimits {
  /** Heavy requests running at once. */
  readonly concurrency: number;
  /** Heavy requests waiting for a slot; beyond that the answer is 503 API_BUSY. */
  readonly queue: number;
  /** From the request's arrival: waiting plus running. */
  readonly deadlineMs: number;
}

/** Seconds a refused client is told to wait: long enough for a heavy request to finish. */
const BUSY_RETRY_AFTER_MS = 2_000;

/**
 * Admission and deadline for the requests that make the store scan and the API compute. A slot is
 * held until the work has really stopped, not merely until the client got its answer: abandoned
 * and timed-out work is cancelled through the signal (store queries are killed) and cannot pile up.
 */
export class HeavyWork {
  readonly #limits: HeavyWorkLimits;
  readonly #waiting: (() => void)[] = [];
  #running = 0;

  constructor(limits: HeavyWorkLimits) {
    this.#limits = limits;
  }

  get running(): number {
    return this.#running;
  }

  /**
   * Runs `work` in a slot with a signal that aborts at the deadline or when the client goes away.
   * Rejects at once with API_BUSY when the queue is full, and with API_DEADLINE at the deadline.
   */
  async run<T>(
    reply: FastifyReply,
    work: (signal: AbortSignal) => Promise<T>,
    options: { readonly deadlineFromNow?: boolean } = {},
  ): Promise<T> {
    if (this.#running >= this.#limits.concurrency && this.#waiting.length >= this.#limits.queue) {
      throw busyError(this.#limits);
    }
    const controller = new AbortController();
    // A streamed export takes one slot per page: each page has the whole deadline.
    const elapsed = options.deadlineFromNow === true ? 0 : reply.elapsedTime;
    const deadlineMs = Math.max(0, this.#limits.deadlineMs - elapsed);
    const timer = setTimeout(() => controller.abort(deadlineError(this.#limits.deadlineMs)), deadlineMs);
    const clientGone = () => {
      if (!reply.raw.writableEnded) controller.abort(new ClientGoneError());
    };
    reply.raw.once('close', clientGone);
    try {
      await this.#acquire(controller.signal);
      const running = work(controller.signal).finally(() => this.#release());
      return await raceAbort(running, controller.signal);
    } finally {
      clearTimeout(timer);
      reply.raw.off('close', clientGone);
    }
  }

  #acquire(signal: AbortSignal): Promise<void> {
    if (this.#running < this.#limits.concurrency) {
      this.#running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const admit = () => {
        signal.removeEventListener('abort', leave);
        this.#running += 1;
        resolve();
      };
      const leave = () => {
        const index = this.#waiting.indexOf(admit);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(signal.reason);
      };
      this.#waiting.push(admit);
      signal.addEventListener('abort', leave, { once: true });
    });
  }

  #release(): void {
    this.#running -= 1;
    this.#waiting.shift()?.();
  }
}

/** Settles with the work, or rejects with the abort reason as soon as the signal fires. */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? signal.reason : error);
      },
    );
  });
}

function busyError(limits: HeavyWorkLimits): UcapError {
  return new UcapError(
    'API_BUSY',
    `${limits.concurrency} heavy requests are running and ${limits.queue} waiting, the most this server takes; retry shortly or ask for less data`,
    { retryable: true, retryAfterMs: BUSY_RETRY_AFTER_MS },
  );
}

function deadlineError(deadlineMs: number): UcapError {
  return new UcapError(
    'API_DEADLINE',
    `the request took longer than ${deadlineMs} ms and was cancelled; ask for a shorter range, a wider every, or one device`,
    { retryable: true, retryAfterMs: BUSY_RETRY_AFTER_MS },
  );
}

/** The client went away before its answer: its work is cancelled; nothing failed on our side. */
export class ClientGoneError extends Error {
  constructor() {
    super('the client closed the connection');
    this.name = 'ClientGoneError';
  }
}
