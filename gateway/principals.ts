import type { Client } from 'aedes';
import type { Principal } from './topic-acl.ts';

/**
 * Who each connection authenticated as. Devices cannot collide on client ids: their sessions
 * live in per-device namespaces (session-ids.ts).
 */
export class Principals {
  readonly #byClient = new WeakMap<Client, Principal>();

  get(client: Client): Principal | undefined {
    return this.#byClient.get(client);
  }

  set(client: Client, principal: Principal): void {
    this.#byClient.set(client, principal);
  }
}

export function nameOf(principal: Principal): string {
  return principal.kind === 'device' ? principal.deviceId : principal.username;
}
