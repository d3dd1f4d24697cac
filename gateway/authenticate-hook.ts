import { createHash, timingSafeEqual } from 'node:crypto';
import type { AedesOptions, Client } from 'aedes';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import type { CityCatalog } from '../domain/cities.ts';
import { isUcapError } from '../domain/errors.ts';
import type { Logger } from '../platform/logger.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';
import type { Principals } from './principals.ts';
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
  readonly remoteAddressOf: (client: Client) => string | undefined;
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
    identify(deps, client.id, username, password).then((result) => {
      if ('kind' in result) {
        deps.principals.set(client, result);
        done(null, true);
        return;
      }
      deps.metrics.connectionsRefused.inc({ reason: result.reason });
      const remoteAddress = deps.remoteAddressOf(client);
      deps.logger.warn(
        { clientId: client.id, username, remoteAddress, reason: result.reason },
        'connection refused',
      );
      done(
        Object.assign(new Error(`connection refused: ${result.reason}`), { returnCode: result.returnCode }),
        null,
      );
    });
  };
}

async function identify(
  deps: AuthenticateDeps,
  clientId: string,
  username: string | undefined,
  password: Buffer | undefined,
): Promise<Principal | Refusal> {
  if (!username || !password || password.length === 0)
    return { reason: 'missing-credentials', returnCode: CONNACK.NOT_AUTHORIZED };
  const secret = password.toString('utf8');
  const { serviceAccount } = deps;
  if (username === serviceAccount.username) {
    return sameSecret(secret, serviceAccount.password)
      ? { kind: 'service', username }
      : { reason: 'bad-credentials', returnCode: CONNACK.BAD_USERNAME_OR_PASSWORD };
  }
  // Client ids starting with the service username are ingest's; a device must not take them over.
  if (clientId.startsWith(serviceAccount.username))
    return { reason: 'reserved-client-id', returnCode: CONNACK.IDENTIFIER_REJECTED };
  const device = await checkDevice(deps, username, secret);
  if ('reason' in device) return device;
  if (deps.principals.heldByAnother(clientId, device))
    return { reason: 'client-id-in-use', returnCode: CONNACK.IDENTIFIER_REJECTED };
  return device;
}

async function checkDevice(
  deps: AuthenticateDeps,
  deviceId: string,
  secret: string,
): Promise<Principal | Refusal> {
  try {
    const device = await deps.registry.authenticate(deviceId, secret);
    if (!device) return { reason: 'bad-credentials', returnCode: CONNACK.BAD_USERNAME_OR_PASSWORD };
    if (!deps.cities.has(device.city)) return { reason: 'unknown-city', returnCode: CONNACK.NOT_AUTHORIZED };
    return { kind: 'device', deviceId: device.id, city: device.city };
  } catch (error) {
    if (isUcapError(error, 'AUTH_BUSY')) return { reason: 'busy', returnCode: CONNACK.SERVER_UNAVAILABLE };
    deps.logger.error({ err: error, deviceId }, 'device registry unavailable; refusing device logins');
    return { reason: 'registry-unavailable', returnCode: CONNACK.SERVER_UNAVAILABLE };
  }
}

/** Constant-time comparison, also for secrets of different lengths (compares their digests). */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
