import type { AedesOptions, Client } from 'aedes';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import type { CityCatalog } from '../domain/cities.ts';
import { isUcapError } from '../domain/errors.ts';
import type { Logger } from '../platform/logger.ts';
import { sameSecret } from '../platform/same-secret.ts';
import type { OpenConnections } from './connection-counts.ts';
import type { DevicePresenceTracker } from './device-presence.ts';
import type { GatewayLimits } from './gateway-limits.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { Principals } from './principals.ts';
import type { RefusalSummary } from './refusal-summary.ts';
import { deviceSessionId } from './session-ids.ts';
import type { Principal } from './topic-acl.ts';

export interface ServiceAccount {
  readonly username: string;
  readonly password: string;
}

export interface AuthenticateDeps {
  readonly registry: Pick<DeviceRegistry, 'authenticate'>;
  readonly cities: CityCatalog;
  readonly serviceAccount: ServiceAccount;
  readonly principals: Principals;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly limits: GatewayLimits;
  readonly deviceThrottle: LoginThrottle;
  readonly addressThrottle: LoginThrottle;
  readonly deviceConnections: OpenConnections<Client>;
  readonly presence: Pick<DevicePresenceTracker, 'connected' | 'disconnected'>;
  /** Which secret (its issue time) each device connection logged in with; a rotation ends it. */
  readonly secretOf: WeakMap<Client, string | undefined>;
  readonly refusals: RefusalSummary;
  readonly remoteAddressOf: (client: Client) => string | undefined;
  /** True when the client sent an empty client id (aedes has replaced it with a random one). */
  readonly sentEmptyClientId: (client: Client) => boolean;
  /** True when a live connection holds this session id (the new one takes it over). */
  readonly sessionConnected: (deviceId: string, sessionId: string) => boolean;
}

/** MQTT 3.1.1 CONNACK return codes (aedes declares them as a const enum, unusable here). */
const CONNACK = {
  IDENTIFIER_REJECTED: 2,
  SERVER_UNAVAILABLE: 3,
  BAD_USERNAME_OR_PASSWORD: 4,
  NOT_AUTHORIZED: 5,
} as const;
type ReturnCode = (typeof CONNACK)[keyof typeof CONNACK];

interface Refusal {
  readonly reason: string;
  readonly returnCode: ReturnCode;
}

type AuthenticateHandler = NonNullable<AedesOptions['authenticate']>;

/** username = device id and password = device secret, or the service account ingest uses. */
export function createAuthenticateHook(deps: AuthenticateDeps): AuthenticateHandler {
  return (client, username, password, done) => {
    const address = deps.remoteAddressOf(client) ?? 'unknown';
    identify(deps, client, address, username, password).then((result) => {
      if ('kind' in result) {
        deps.principals.set(client, result);
        done(null, true);
        return;
      }
      deps.metrics.connectionsRefused.inc({ reason: result.reason });
      deps.refusals.note('connection', result.reason, { address, deviceId: username });
      deps.logger.debug(
        { clientId: client.id, username, remoteAddress: address, reason: result.reason },
        'connection refused',
      );
      done(
        Object.assign(new Error(`connection refused: ${result.reason}`), { returnCode: result.returnCode }),
        null,
      );
    });
  };
}

/** Moves the device's session into its own namespace and counts the connection until it closes. */
function admitDevice(
  deps: AuthenticateDeps,
  client: Client,
  deviceId: string,
  credentialsIssuedAt: string | undefined,
): void {
  (client as { id: string }).id = deviceSessionId(deviceId, client.id);
  deps.secretOf.set(client, credentialsIssuedAt);
  if (client.conn.destroyed) return;
  deps.deviceConnections.add(deviceId, client);
  deps.presence.connected(deviceId);
  client.conn.once('close', () => {
    deps.deviceConnections.remove(deviceId, client);
    deps.presence.disconnected(deviceId);
  });
}

async function identify(
  deps: AuthenticateDeps,
  client: Client,
  address: string,
  username: string | undefined,
  password: Buffer | undefined,
): Promise<Principal | Refusal> {
  // MQTT 3.1.1 §3.1.3.1 [MQTT-3.1.3-8]: a zero-length client id needs CleanSession = 1.
  if (deps.sentEmptyClientId(client) && !client.clean)
    return { reason: 'empty-client-id-persistent', returnCode: CONNACK.IDENTIFIER_REJECTED };
  if (!username || !password || password.length === 0)
    return { reason: 'missing-credentials', returnCode: CONNACK.NOT_AUTHORIZED };
  if (deps.addressThrottle.blockedFor(address) > 0)
    return { reason: 'address-throttled', returnCode: CONNACK.SERVER_UNAVAILABLE };
  const secret = password.toString('utf8');
  const { serviceAccount } = deps;
  if (username === serviceAccount.username) {
    if (sameSecret(secret, serviceAccount.password)) return { kind: 'service', username };
    deps.addressThrottle.fail(address);
    return { reason: 'bad-credentials', returnCode: CONNACK.BAD_USERNAME_OR_PASSWORD };
  }
  const device = await checkDevice(deps, username, secret, address);
  if ('reason' in device) return device;
  const takesOver = deps.sessionConnected(device.deviceId, deviceSessionId(device.deviceId, client.id));
  if (!takesOver && deps.deviceConnections.count(device.deviceId) >= deps.limits.maxConnectionsPerDevice)
    return { reason: 'device-connection-limit', returnCode: CONNACK.SERVER_UNAVAILABLE };
  // Counted in the same synchronous step as the check, so parallel logins cannot overshoot it.
  admitDevice(deps, client, device.deviceId, device.credentialsIssuedAt);
  return { kind: 'device', deviceId: device.deviceId, city: device.city };
}

type CheckedDevice = Extract<Principal, { kind: 'device' }> & {
  readonly credentialsIssuedAt: string | undefined;
};

async function checkDevice(
  deps: AuthenticateDeps,
  deviceId: string,
  secret: string,
  address: string,
): Promise<CheckedDevice | Refusal> {
  // A throttled id still lets in a secret checked recently (from the cache, no scrypt), so a
  // flood on a device's public id does not lock the device itself out of reconnecting.
  const throttled = deps.deviceThrottle.blockedFor(deviceId) > 0;
  try {
    const device = await deps.registry.authenticate(deviceId, secret, { cachedOnly: throttled });
    if (!device) {
      if (throttled) return { reason: 'device-throttled', returnCode: CONNACK.SERVER_UNAVAILABLE };
      deps.deviceThrottle.fail(deviceId);
      deps.addressThrottle.fail(address);
      return { reason: 'bad-credentials', returnCode: CONNACK.BAD_USERNAME_OR_PASSWORD };
    }
    deps.deviceThrottle.succeed(deviceId);
    if (!deps.cities.has(device.city)) return { reason: 'unknown-city', returnCode: CONNACK.NOT_AUTHORIZED };
    return {
      kind: 'device',
      deviceId: device.id,
      city: device.city,
      credentialsIssuedAt: device.credentialsIssuedAt,
    };
  } catch (error) {
    if (isUcapError(error, 'AUTH_BUSY')) return { reason: 'busy', returnCode: CONNACK.SERVER_UNAVAILABLE };
    deps.logger.error({ err: error, deviceId }, 'device registry unavailable; refusing device logins');
    return { reason: 'registry-unavailable', returnCode: CONNACK.SERVER_UNAVAILABLE };
  }
}
