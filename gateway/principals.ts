import type { Client } from 'aedes';
import type { Principal } from './topic-acl.ts';

/**
 * Who each connection authenticated as, and which principal holds each MQTT client id. MQTT
 * lets a new connection with the same client id take over the old session; the gateway allows
 * that only for the same principal, so one device cannot knock another (or ingest) offline.
 */
export class Principals {
  readonly #byClient = new WeakMap<Client, Principal>();
  readonly #holders = new Map<string, { readonly client: Client; readonly name: string }>();

  get(client: Client): Principal | undefined {
    return this.#byClient.get(client);
  }

  set(client: Client, principal: Principal): void {
    this.#byClient.set(client, principal);
  }

  /** Called once the session is established (aedes' clientReady). */
  hold(client: Client): void {
    const principal = this.#byClient.get(client);
    if (principal) this.#holders.set(client.id, { client, name: nameOf(principal) });
  }

  /** Called on disconnect; a client id taken over by a newer connection stays with the newer one. */
  release(client: Client): void {
    if (this.#holders.get(client.id)?.client === client) this.#holders.delete(client.id);
  }

  heldByAnother(clientId: string, principal: Principal): boolean {
    const holder = this.#holders.get(clientId);
    return holder !== undefined && holder.name !== nameOf(principal);
  }
}

export function nameOf(principal: Principal): string {
  return principal.kind === 'device' ? principal.deviceId : principal.username;
}
