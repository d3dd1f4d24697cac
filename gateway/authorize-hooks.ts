import type { AedesOptions, Client } from 'aedes';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import { parseReadingsTopic } from '../domain/topics.ts';
import type { Logger } from '../platform/logger.ts';
import { MAX_PAYLOAD_BYTES } from './broker-limits.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';
import { nameOf, type Principals } from './principals.ts';
import type { PublishBudget } from './publish-budget.ts';
import type { RefusalSummary } from './refusal-summary.ts';
import { decidePublish, decideSubscribe, mayReceive } from './topic-acl.ts';

export interface AuthorizeDeps {
  readonly registry: Pick<DeviceRegistry, 'get'>;
  readonly principals: Principals;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly budget: PublishBudget;
  readonly refusals: RefusalSummary;
  readonly remoteAddressOf: (client: Client) => string | undefined;
}

type Hooks = Required<Pick<AedesOptions, 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>>;

export function createAuthorizeHooks(deps: AuthorizeDeps): Hooks {
  return {
    authorizePublish: (client, packet, callback) => {
      checkPublish(deps, client, packet.topic, Buffer.byteLength(packet.payload)).then((reason) => {
        if (reason === undefined) {
          // A reading is not state: a device's retained publish is passed on as a plain one, so
          // the broker never keeps it nor replays it to a subscriber (or after a restart).
          if (packet.retain && client && deps.principals.get(client)?.kind === 'device') {
            packet.retain = false;
            deps.metrics.retainStripped.inc();
          }
          // Counted here, not on aedes' 'publish' event, which fires only after delivery to subscribers.
          deps.metrics.messagesPublished.inc({ city: parseReadingsTopic(packet.topic)?.city ?? 'none' });
          return callback(null);
        }
        deps.metrics.publishesRefused.inc({ reason });
        note(deps, 'publish', client, reason);
        deps.logger.debug({ ...who(deps, client), topic: packet.topic, reason }, 'publish refused');
        // MQTT 3.1.1 has no negative PUBACK: aedes closes the connection, which a device notices.
        callback(new Error(`publish refused: ${reason}`));
      });
    },
    authorizeSubscribe: (client, subscription, callback) => {
      const principal = deps.principals.get(client);
      const decision = principal ? decideSubscribe(principal, subscription.topic) : undefined;
      if (decision?.allowed) return callback(null, subscription);
      const reason = decision?.reason ?? 'not-authenticated';
      deps.metrics.subscriptionsRefused.inc({ reason });
      note(deps, 'subscription', client, reason);
      const hint =
        reason === 'shared-subscription'
          ? 'shared subscriptions ($share/...) are not supported: subscribe to the filter itself'
          : undefined;
      deps.logger.debug(
        { ...who(deps, client), filter: subscription.topic, reason, hint },
        'subscription refused',
      );
      // A null subscription answers SUBACK 0x80 (failure) and keeps the connection open.
      callback(null, null);
    },
    authorizeForward: (client, packet) => {
      const principal = deps.principals.get(client);
      return principal && mayReceive(principal, packet.topic) ? packet : null;
    },
  };
}

async function checkPublish(
  deps: AuthorizeDeps,
  client: Client | null,
  topic: string,
  payloadBytes: number,
): Promise<string | undefined> {
  const principal = client ? deps.principals.get(client) : undefined;
  if (!principal) return 'not-authenticated';
  if (payloadBytes > MAX_PAYLOAD_BYTES) return 'payload-too-large';
  const decision = decidePublish(principal, topic);
  if (!decision.allowed) return decision.reason;
  if (principal.kind !== 'device') return undefined;
  const overBudget = deps.budget.take(principal.deviceId, payloadBytes);
  if (overBudget) return overBudget;
  // Re-read (one stat when unchanged) so removing a device cuts off a connection already open.
  try {
    return (await deps.registry.get(principal.deviceId)) ? undefined : 'device-removed';
  } catch (error) {
    deps.logger.error({ err: error, deviceId: principal.deviceId }, 'device registry unavailable');
    return 'registry-unavailable';
  }
}

function note(deps: AuthorizeDeps, kind: 'publish' | 'subscription', client: Client | null, reason: string) {
  const principal = client ? deps.principals.get(client) : undefined;
  const deviceId = principal?.kind === 'device' ? principal.deviceId : undefined;
  deps.refusals.note(kind, reason, { address: client ? deps.remoteAddressOf(client) : undefined, deviceId });
}

function who(deps: AuthorizeDeps, client: Client | null) {
  const principal = client ? deps.principals.get(client) : undefined;
  return { clientId: client?.id, username: principal ? nameOf(principal) : undefined };
}
