import type { IPublishPacket, MqttClient } from 'mqtt';
import type { Logger } from '../platform/logger.ts';

/**
 * Acknowledge a QoS 1 message only once its work is durable, without reading one message at a time.
 *
 * mqtt.js 5 sends the PUBACK from inside `handleMessage`'s callback, and reads the next packet from
 * the socket only after that PUBACK is written (lib/handlers/publish.js, client.js `work()`). Holding
 * the callback until the batch is written would therefore serialise ingest to one message per
 * flush. Instead the callback is released as soon as the message is *admitted* to the batch buffer
 * (so a full buffer still holds the socket: backpressure reaches the broker) with an error, which
 * makes mqtt.js skip its own PUBACK; the PUBACK is sent here once the message is safe.
 *
 * PUBACKs go out in the order the messages arrived (MQTT 3.1.1 §4.6), and only on the connection
 * the message came in on: after a reconnect the broker redelivers unacknowledged messages, and a
 * late PUBACK on the new connection could acknowledge a different message that reused the id.
 */
export interface AckAfterSafeOptions {
  readonly client: MqttClient;
  /**
   * Takes one message in. Resolves once it is admitted, with `safe`, which resolves when the work is
   * durable (the message is acknowledged) or rejects when it is not (it stays with the broker).
   */
  readonly admit: (packet: IPublishPacket) => Promise<{ readonly safe: Promise<void> }>;
  /**
   * Most messages taken in but not yet acknowledged. Below 65535 so the broker, which numbers
   * in-flight messages with 16-bit ids, never reuses an id we have not acknowledged yet.
   */
  readonly maxUnacked: number;
  readonly logger: Logger;
}

export interface AckAfterSafe {
  /** Stops taking messages; later ones are left unacknowledged for the broker to redeliver. */
  pause(): void;
  /** Resolves once every message taken in so far has been admitted (or refused). */
  admitted(): Promise<void>;
  /** Resolves once every message taken in so far has been acknowledged or left to the broker. */
  drain(): Promise<void>;
  unacked(): number;
}

export const DEFAULT_MAX_UNACKED = 20_000;

interface PacketSender {
  _sendPacket(packet: { cmd: 'puback'; messageId: number }, cb?: () => void): void;
}

/** Not a failure: it only tells mqtt.js not to send its own PUBACK. */
const ACK_DEFERRED = new Error('acknowledgement deferred until the message is durable');

export function ackAfterSafe(options: AckAfterSafeOptions): AckAfterSafe {
  const { client, logger } = options;
  const sender = client as unknown as Partial<PacketSender>;
  if (typeof sender._sendPacket !== 'function') {
    throw new Error(
      'this mqtt.js version has no _sendPacket: ingest cannot acknowledge after durable writes',
    );
  }
  const sendPacket = sender._sendPacket.bind(client);
  const admissions = new Set<Promise<void>>();
  const slotWaiters: Array<() => void> = [];
  let lastTurn: Promise<void> = Promise.resolve();
  let unacked = 0;
  let paused = false;

  const slot = (): Promise<void> =>
    unacked < options.maxUnacked ? Promise.resolve() : new Promise((resolve) => slotWaiters.push(resolve));

  const ack = (packet: IPublishPacket, stream: unknown): void => {
    if (packet.qos === 0 || packet.messageId === undefined) return;
    if (client.stream !== stream || !client.connected) {
      logger.debug(
        { messageId: packet.messageId },
        'connection changed before the ack; the broker redelivers',
      );
      return;
    }
    try {
      sendPacket({ cmd: 'puback', messageId: packet.messageId });
    } catch (error) {
      logger.warn(
        { messageId: packet.messageId, err: error },
        'could not send the ack; the broker redelivers',
      );
    }
  };

  const take = async (packet: IPublishPacket, stream: unknown): Promise<void> => {
    await slot();
    unacked += 1;
    let safe: Promise<void>;
    try {
      safe = (await options.admit(packet)).safe;
    } catch (error) {
      safe = Promise.reject(error);
    }
    // Observe the outcome now, act on it in arrival order.
    const outcome = safe.then(
      () => true,
      () => false,
    );
    lastTurn = lastTurn
      .then(() => outcome)
      .then((ok) => {
        if (ok) ack(packet, stream);
      })
      .finally(() => {
        unacked -= 1;
        slotWaiters.shift()?.();
      });
  };

  client.handleMessage = (packet, callback) => {
    if (paused) {
      callback(ACK_DEFERRED);
      return;
    }
    const admission = take(packet, client.stream);
    admissions.add(admission);
    void admission.finally(() => {
      admissions.delete(admission);
      callback(ACK_DEFERRED);
    });
  };

  return {
    pause: () => {
      paused = true;
    },
    admitted: async () => {
      await Promise.allSettled([...admissions]);
    },
    drain: async () => {
      await Promise.allSettled([...admissions]);
      await lastTurn;
    },
    unacked: () => unacked,
  };
}
