import type { AedesOptions, Client } from 'aedes';
import { decodeRelayConfirmation } from '../domain/relay-batch.ts';
import { parseReadingsTopic, RELAY_CONFIRMATIONS_TOPIC } from '../domain/topics.ts';
import type { MessageSink } from '../ingest/reading-pipeline.ts';
import type { Logger } from '../platform/logger.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';
import type { RelaySink } from './relay-sink.ts';

type AuthorizePublishHandler = Required<AedesOptions>['authorizePublish'];

export interface ReadingIntake {
  /** Runs after the ACL has allowed the publish; calls back (so aedes PUBACKs) only once the reading is safe. */
  readonly authorizePublish: AuthorizePublishHandler;
  /** Stops taking readings: later publishes are never acknowledged, so their devices send them again. */
  pause(): void;
  /** Publishes whose reading is not durable yet. */
  pending(): number;
  /** Whether aedes' routing can skip this packet: the intake took it, and readings have no subscribers. */
  consumed(packet: object): boolean;
}

/**
 * Makes the device's PUBACK mean "stored". aedes writes the PUBACK right after authorizePublish
 * calls back (lib/handlers/publish.js), and reads a connection's next packets only once every
 * packet of the current read has been handled (lib/client.js), so holding the callback until the
 * message is durable both defers the PUBACK and applies backpressure to that device alone.
 * Nothing is queued in the broker: a device that got no PUBACK still holds the message and resends it.
 */
export function createReadingIntake(options: {
  readonly sink: MessageSink;
  readonly relay: RelaySink | undefined;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
}): ReadingIntake {
  const { sink, relay, logger } = options;
  let accepting = true;
  let pending = 0;
  const consumed = new WeakSet<object>();

  const takeReading = (
    client: Client,
    packet: Parameters<AuthorizePublishHandler>[1],
    callback: (error?: Error | null) => void,
  ) => {
    if (!accepting) return; // never acknowledged; the connection closes with the gateway
    // A reading is not state: a retained copy would be replayed to every new subscriber.
    packet.retain = false;
    consumed.add(packet);
    pending += 1;
    const started = performance.now();
    const message = { topic: packet.topic, payload: packet.payload as Buffer, receivedAt: Date.now() };
    // QoS 0 is at most once: acknowledged (in aedes' sense: let through) once admitted.
    const stored = sink
      .admit(message)
      .then(({ safe }) => (packet.qos === 0 ? void safe.catch(() => undefined) : safe));
    stored
      .then(
        () => {
          if (packet.qos > 0) options.metrics.storeToAckSeconds.observe((performance.now() - started) / 1000);
          return null;
        },
        (error: unknown) => {
          // No PUBACK: closing the connection makes the device reconnect and send it again.
          logger.debug(
            { clientId: client.id, err: error },
            'reading not stored; connection closed for a resend',
          );
          return error instanceof Error ? error : new Error(String(error));
        },
      )
      .then((outcome) => {
        pending -= 1;
        callback(outcome);
      });
  };

  return {
    authorizePublish(client, packet, callback) {
      if (parseReadingsTopic(packet.topic) !== undefined && client !== null) {
        takeReading(client, packet, callback);
        return;
      }
      if (relay !== undefined && client !== null && packet.topic === RELAY_CONFIRMATIONS_TOPIC) {
        const confirmation = decodeRelayConfirmation(packet.payload as Buffer);
        if (confirmation === undefined)
          logger.warn({ clientId: client.id }, 'unreadable relay confirmation ignored');
        else relay.confirm(client, confirmation);
      }
      callback(null);
    },
    pause() {
      accepting = false;
    },
    pending: () => pending,
    consumed: (packet) => consumed.has(packet),
  };
}
