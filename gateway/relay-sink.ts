import type { Aedes } from 'aedes';
import { UcapError } from '../domain/errors.ts';
import { encodeRelayBatch, type RelayConfirmation, type RelayedMessage } from '../domain/relay-batch.ts';
import { relayBatchesTopic } from '../domain/topics.ts';
import type { MessageSink } from '../ingest/reading-pipeline.ts';
import type { Logger } from '../platform/logger.ts';

/** Named limits of the relay; each bounds memory or latency. */
export interface RelayLimits {
  /** Messages per batch; a full batch leaves at once. */
  readonly maxBatchMessages: number;
  /** Bytes per batch (payloads and topics). */
  readonly maxBatchBytes: number;
  /** Longest a message waits for its batch to fill. Short: the device's PUBACK waits for it. */
  readonly lingerMs: number;
  /** Messages admitted but not yet confirmed durable; past it admission waits (devices' sockets are not read). */
  readonly maxUnconfirmed: number;
  /** Pause before a batch a worker could not store is sent again. */
  readonly retryDelayMs: number;
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = Object.freeze({
  maxBatchMessages: 2000,
  maxBatchBytes: 1024 * 1024,
  lingerMs: 5,
  maxUnconfirmed: 100_000,
  retryDelayMs: 500,
});

export interface RelaySink extends MessageSink {
  /** A service client subscribed to `ucap/_relay/{workerId}/batches`: it can take batches now. */
  workerReady(workerId: string, client: object): void;
  /** The client left (disconnect or unsubscribe): its unconfirmed batches go to another worker. */
  workerGone(client: object): void;
  /** A worker's answer for one batch; ignored unless that worker holds that batch. */
  confirm(client: object, confirmation: RelayConfirmation): void;
  /** Waits up to `timeoutMs` for what is in flight to be confirmed; the rest stays unacknowledged. */
  close(timeoutMs: number): Promise<void>;
  stats(): { readonly workers: number; readonly unconfirmed: number };
}

interface Waiting {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface Batch {
  readonly id: number;
  readonly messages: RelayedMessage[];
  readonly waiting: Waiting[];
  bytes: number;
  worker?: string;
}

/**
 * The gateway's side of GATEWAY_INGEST=relay: packs device messages into batches, hands each batch
 * to one connected ingest worker (round robin) and settles the messages when the worker confirms
 * the batch durable. A batch whose worker leaves or fails goes to the next worker; nothing is
 * kept on disk, because every message is still unacknowledged on its device, which resends it
 * should the gateway itself stop.
 */
export function createRelaySink(broker: Aedes, logger: Logger, limits: Partial<RelayLimits> = {}): RelaySink {
  const l: RelayLimits = { ...DEFAULT_RELAY_LIMITS, ...limits };
  const workers = new Map<object, string>();
  let order: object[] = [];
  let turn = 0;
  const unsent: Batch[] = [];
  const inFlight = new Map<number, Batch>();
  const roomWaiters: Array<() => void> = [];
  let unconfirmed = 0;
  let nextId = 1;
  let filling: Batch | undefined;
  let lingerTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let settledWaiter: (() => void) | undefined;

  const newBatch = (): Batch => {
    const id = nextId;
    nextId = nextId >= 0xffff_ffff ? 1 : nextId + 1;
    return { id, messages: [], waiting: [], bytes: 0 };
  };

  const seal = (): void => {
    if (lingerTimer !== undefined) clearTimeout(lingerTimer);
    lingerTimer = undefined;
    const batch = filling;
    filling = undefined;
    if (batch === undefined || batch.messages.length === 0) return;
    unsent.push(batch);
    dispatch();
  };

  const pickWorker = (): [object, string] | undefined => {
    if (order.length === 0) return undefined;
    turn = (turn + 1) % order.length;
    const client = order[turn];
    const id = client && workers.get(client);
    return client && id ? [client, id] : undefined;
  };

  const dispatch = (): void => {
    while (unsent.length > 0) {
      const picked = pickWorker();
      if (picked === undefined) return;
      const batch = unsent.shift() as Batch;
      batch.worker = picked[1];
      inFlight.set(batch.id, batch);
      broker.publish(
        {
          cmd: 'publish',
          topic: relayBatchesTopic(picked[1]),
          payload: encodeRelayBatch({ batchId: batch.id, messages: batch.messages }),
          qos: 0,
          retain: false,
          dup: false,
        },
        (error) => {
          if (error) logger.warn({ batch: batch.id, err: error }, 'relay batch not delivered');
        },
      );
    }
  };

  const settle = (batch: Batch, outcome: 'stored' | Error): void => {
    inFlight.delete(batch.id);
    for (const w of batch.waiting) {
      if (outcome === 'stored') w.resolve();
      else w.reject(outcome);
    }
    unconfirmed -= batch.messages.length;
    while (roomWaiters.length > 0 && unconfirmed < l.maxUnconfirmed) roomWaiters.shift()?.();
    if (unconfirmed === 0) settledWaiter?.();
  };

  const resend = (batch: Batch): void => {
    inFlight.delete(batch.id);
    delete batch.worker;
    unsent.push(batch);
  };

  const notStored = () =>
    new UcapError(
      'STORE_UNAVAILABLE',
      'the gateway stopped before an ingest worker confirmed the message stored',
      {
        retryable: true,
      },
    );

  return {
    async admit(message) {
      if (closed) throw notStored();
      while (unconfirmed >= l.maxUnconfirmed) await new Promise<void>((resolve) => roomWaiters.push(resolve));
      if (closed) throw notStored();
      unconfirmed += 1;
      filling ??= newBatch();
      const batch = filling;
      const safe = new Promise<void>((resolve, reject) => batch.waiting.push({ resolve, reject }));
      batch.messages.push(message);
      batch.bytes += message.payload.byteLength + message.topic.length;
      if (batch.messages.length >= l.maxBatchMessages || batch.bytes >= l.maxBatchBytes) seal();
      else lingerTimer ??= setTimeout(seal, l.lingerMs);
      return { safe };
    },
    workerReady(workerId, client) {
      if (!workers.has(client)) order.push(client);
      workers.set(client, workerId);
      logger.info({ workerId, workers: workers.size }, 'ingest worker ready for relay batches');
      dispatch();
    },
    workerGone(client) {
      const workerId = workers.get(client);
      if (workerId === undefined) return;
      workers.delete(client);
      order = order.filter((c) => c !== client);
      // Another connection of the same worker id may hold batches too: keep those.
      const stillThere = [...workers.values()].includes(workerId);
      let moved = 0;
      if (!stillThere) {
        for (const batch of [...inFlight.values()]) {
          if (batch.worker !== workerId) continue;
          resend(batch);
          moved += batch.messages.length;
        }
      }
      logger.warn({ workerId, workers: workers.size, resent: moved }, 'ingest worker left the relay');
      dispatch();
    },
    confirm(client, confirmation) {
      const batch = inFlight.get(confirmation.batch);
      if (batch === undefined || batch.worker !== workers.get(client)) return;
      if (confirmation.ok) return settle(batch, 'stored');
      logger.warn(
        { batch: batch.id, worker: batch.worker },
        'ingest could not store a relay batch; sending it again',
      );
      inFlight.delete(batch.id);
      setTimeout(() => {
        delete batch.worker;
        unsent.push(batch);
        dispatch();
      }, l.retryDelayMs).unref();
    },
    async close(timeoutMs) {
      seal();
      if (unconfirmed > 0) {
        const settled = new Promise<void>((resolve) => {
          settledWaiter = resolve;
        });
        await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
      }
      closed = true;
      for (const batch of [...unsent.splice(0), ...inFlight.values()]) settle(batch, notStored());
      for (const wake of roomWaiters.splice(0)) wake();
    },
    stats: () => ({ workers: workers.size, unconfirmed }),
  };
}
