import type { Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import type { Registry } from 'prom-client';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import type { PresenceSource } from '../devices/presence-file.ts';
import type { CityCatalog } from '../domain/cities.ts';
import { parseRelayBatchesTopic } from '../domain/topics.ts';
import type { MessageSink } from '../ingest/reading-pipeline.ts';
import type { Logger } from '../platform/logger.ts';
import { createAuthenticateHook, type ServiceAccount } from './authenticate-hook.ts';
import { createAuthorizeHooks } from './authorize-hooks.ts';
import { BROKER_LIMITS, MAX_CONNECTIONS, MAX_FRAME_BYTES, MAX_PAYLOAD_BYTES } from './broker-limits.ts';
import { OpenConnections } from './connection-counts.ts';
import { DevicePresenceTracker } from './device-presence.ts';
import { createExtraListeners, type GatewayListeners, portOf } from './extra-listeners.ts';
import { FrameTooLargeError, guardConnection } from './frame-size-guard.ts';
import { DEFAULT_GATEWAY_LIMITS, type GatewayLimits } from './gateway-limits.ts';
import { createGatewayMetrics, type GatewayMetrics } from './gateway-metrics.ts';
import { LoginThrottle } from './login-throttle.ts';
import { nameOf, Principals } from './principals.ts';
import { PublishBudget } from './publish-budget.ts';
import { createReadingIntake, type ReadingIntake } from './reading-intake.ts';
import { RefusalSummary } from './refusal-summary.ts';
import { createRelaySink, type RelayLimits, type RelaySink } from './relay-sink.ts';

export type { ServiceAccount } from './authenticate-hook.ts';
export type { GatewayListeners } from './extra-listeners.ts';
export type { GatewayLimits } from './gateway-limits.ts';

/**
 * Where device readings go before their PUBACK:
 * - `embedded`: through this process's own pipeline into the store;
 * - `relay`: in batches to connected ingest workers (`npm run ingest`), confirmed once durable;
 * - absent: nowhere but the broker's subscribers, acknowledged on receipt (a plain MQTT broker).
 */
export type GatewayIntakeOption =
  | { readonly kind: 'embedded'; readonly pipeline: MessageSink }
  | { readonly kind: 'relay'; readonly limits?: Partial<RelayLimits> };

/** How long close() waits for readings in flight to become durable before disconnecting devices. */
export const DRAIN_TIMEOUT_MS = 10_000;

export interface GatewayOptions {
  readonly registry: DeviceRegistry;
  readonly cities: CityCatalog;
  /** The account ingest subscribes with; the only one allowed to read readings. */
  readonly serviceAccount: ServiceAccount;
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly logger: Logger;
  /** The process's Prometheus registry; the gateway adds its counters to it. */
  readonly metrics: Registry;
  readonly intake?: GatewayIntakeOption;
  /** Availability limits; defaults in gateway-limits.ts. */
  readonly limits?: Partial<GatewayLimits>;
  /** mqtts and MQTT over WebSocket; off unless their ports are given. */
  readonly listeners?: GatewayListeners;
  /** Where device presence is written for an API in another process (DATA_DIR/presence.json); none when absent. */
  readonly presencePath?: string;
}

export interface GatewayAddress {
  readonly host: string;
  /** Plain MQTT over TCP. */
  readonly port: number;
  readonly tlsPort?: number;
  /** MQTT over WebSocket at WS_PATH, over TLS when `wsTls`. */
  readonly wsPort?: number;
  readonly wsTls?: boolean;
}

export interface Gateway {
  /** Starts accepting MQTT 3.1.1 (TCP, and TLS/WebSocket when configured); resolves with the ports bound. */
  listen(): Promise<GatewayAddress>;
  /**
   * Stops accepting, lets readings already received become durable (their PUBACKs go out),
   * disconnects every client and closes the broker. Idempotent.
   */
  close(): Promise<void>;
  readonly broker: Aedes;
  /** The relay's state in `relay` mode (for readiness and tests). */
  readonly relay: RelaySink | undefined;
  /** QoS 1 readings received whose PUBACK waits for the store. */
  pendingReadings(): number;
  /** Which devices are connected now; live, for an API in the same process. */
  readonly presence: PresenceSource;
}

/** What the broker's hooks and the listeners share. */
interface GatewayState {
  readonly limits: GatewayLimits;
  readonly principals: Principals;
  readonly metrics: GatewayMetrics;
  readonly refusals: RefusalSummary;
  readonly remoteAddresses: WeakMap<Client, string | undefined>;
  readonly emptyClientIds: WeakSet<Client>;
  readonly deviceConnections: OpenConnections<Client>;
  readonly addressConnections: OpenConnections<Duplex>;
  readonly presence: DevicePresenceTracker;
  readonly secretOf: WeakMap<Client, string | undefined>;
  /** Set once the broker exists: where readings go before their PUBACK. */
  readonly stages: { intake?: ReadingIntake; relay?: RelaySink };
}

/** Builds the MQTT broker with the device ACL; nothing listens until `listen()`. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { logger } = options;
  const limits = { ...DEFAULT_GATEWAY_LIMITS, ...options.limits };
  let connected = (): number => 0;
  const stages: GatewayState['stages'] = {};
  const state: GatewayState = {
    limits,
    principals: new Principals(),
    metrics: createGatewayMetrics(options.metrics, {
      connectedClients: () => connected(),
      awaitingStore: () => stages.intake?.pending() ?? 0,
      unconfirmed: () => stages.relay?.stats().unconfirmed ?? 0,
    }),
    refusals: new RefusalSummary(logger, limits.refusalLogIntervalMs),
    remoteAddresses: new WeakMap(),
    emptyClientIds: new WeakSet(),
    deviceConnections: new OpenConnections(),
    addressConnections: new OpenConnections(),
    presence: new DevicePresenceTracker({ path: options.presencePath, logger }),
    secretOf: new WeakMap(),
    stages,
  };
  await state.presence.start();
  const broker = await createBroker(options, state);
  connected = () => broker.connectedClients;
  observeBroker(broker, state, logger);
  skipRoutingOfStoredReadings(broker, stages);
  const intakeOption = options.intake;
  if (intakeOption?.kind === 'relay') {
    stages.relay = createRelaySink(broker, logger.child({ component: 'relay' }), intakeOption.limits);
    watchRelayWorkers(broker, state.principals, stages.relay);
  }
  if (intakeOption !== undefined) {
    const sink = intakeOption.kind === 'embedded' ? intakeOption.pipeline : stages.relay;
    if (sink)
      stages.intake = createReadingIntake({ sink, relay: stages.relay, metrics: state.metrics, logger });
  }
  const stopWatching = options.registry.watch(evictRemovedDevices(options.registry, state, logger));

  const accept = (stream: Duplex, remoteAddress: string | undefined) => {
    const address = remoteAddress ?? 'unknown';
    if (state.addressConnections.count(address) >= limits.maxConnectionsPerAddress) {
      state.metrics.connectionsRefused.inc({ reason: 'address-connection-limit' });
      state.refusals.note('connection', 'address-connection-limit', { address });
      stream.destroy();
      return;
    }
    state.addressConnections.add(address, stream);
    stream.once('close', () => state.addressConnections.remove(address, stream));
    const client = broker.handle(guardFrames(stream, remoteAddress, state));
    state.remoteAddresses.set(client, remoteAddress);
  };
  const server = createServer((socket) => accept(socket, socket.remoteAddress));
  server.maxConnections = MAX_CONNECTIONS;
  const listenerConfig = options.listeners ?? {};
  const extras = createExtraListeners(listenerConfig, accept);

  let closing: Promise<void> | undefined;
  return {
    broker,
    relay: stages.relay,
    pendingReadings: () => stages.intake?.pending() ?? 0,
    presence: state.presence,
    listen: async () => {
      const plain = await listen(server, options.host, options.port);
      let address: GatewayAddress = plain;
      for (const extra of extras) {
        const bound = await listen(extra.server, options.host, portOf(listenerConfig, extra.kind));
        address =
          extra.kind === 'mqtts'
            ? { ...address, tlsPort: bound.port }
            : { ...address, wsPort: bound.port, wsTls: extra.kind === 'wss' };
      }
      return address;
    },
    close: () => {
      closing ??= (async () => {
        stopWatching();
        state.refusals.close();
        await Promise.all(extras.map((extra) => extra.close()));
        await closeAll(server, broker, state.addressConnections, stages);
        await state.presence.close();
      })();
      return closing;
    },
  };
}

async function createBroker(options: GatewayOptions, state: GatewayState): Promise<Aedes> {
  const { logger } = options;
  const remoteAddressOf = (client: Client) => state.remoteAddresses.get(client);
  const acl = createAuthorizeHooks({
    registry: options.registry,
    principals: state.principals,
    metrics: state.metrics,
    logger,
    refusals: state.refusals,
    remoteAddressOf,
    budget: new PublishBudget({
      messagesPerSecond: state.limits.publishesPerDeviceSecond,
      bytesPerSecond: state.limits.publishBytesPerDeviceSecond,
      largestPayloadBytes: MAX_PAYLOAD_BYTES,
    }),
  });
  // In-memory broker state only: readings are never queued in the broker (the device keeps what
  // was not acknowledged), so nothing of value is lost with it.
  return Aedes.createBroker({
    ...BROKER_LIMITS,
    preConnect: (client, packet, callback) => {
      if (packet.clientId === '') state.emptyClientIds.add(client);
      // A silent connection must not hold a descriptor for ever: keep-alive 0 (never) or one
      // above the limit is lowered to it, and aedes closes the connection after 1.5x that.
      const max = state.limits.maxKeepaliveSeconds;
      if (!packet.keepalive || packet.keepalive > max) {
        packet.keepalive = max;
        state.metrics.keepaliveCapped.inc();
      }
      callback(null, true);
    },
    authenticate: createAuthenticateHook({
      ...options,
      ...state,
      deviceThrottle: new LoginThrottle(state.limits.loginFailuresPerDevice, state.limits.loginBackoffMaxMs),
      addressThrottle: new LoginThrottle(
        state.limits.loginFailuresPerAddress,
        state.limits.loginBackoffMaxMs,
      ),
      remoteAddressOf,
      sentEmptyClientId: (client) => state.emptyClientIds.has(client),
      sessionConnected: (deviceId, sessionId) =>
        state.deviceConnections.of(deviceId).some((c) => c.id === sessionId),
    }),
    ...acl,
    authorizePublish: (client, packet, callback) =>
      acl.authorizePublish(client, packet, (error) => {
        const intake = state.stages.intake;
        if (error || intake === undefined) callback(error);
        else intake.authorizePublish(client, packet, callback);
      }),
  });
}

/**
 * After the PUBACK, aedes routes every publish through its emitter, retained store and offline
 * queues (lib/handlers/publish.js, aedes.js publish): ~9 % of the gateway's CPU per reading,
 * measured, for a message that has no subscriber — the intake already stored it or relayed it.
 */
function skipRoutingOfStoredReadings(broker: Aedes, stages: { readonly intake?: ReadingIntake }): void {
  const route = broker.publish.bind(broker) as (
    packet: object,
    client: unknown,
    done?: (error?: Error) => void,
  ) => void;
  const publish = (packet: object, client: unknown, done?: (error?: Error) => void): void => {
    const callback = typeof client === 'function' ? (client as (error?: Error) => void) : done;
    if (stages.intake?.consumed(packet)) callback?.();
    else route(packet, client, done);
  };
  broker.publish = publish as Aedes['publish'];
}

/** Ingest workers announce themselves by subscribing to their relay topic (the ACL allows only the service account). */
function watchRelayWorkers(broker: Aedes, principals: Principals, relay: RelaySink): void {
  broker.on('subscribe', (subscriptions, client) => {
    if (principals.get(client)?.kind !== 'service') return;
    for (const s of subscriptions) {
      const workerId = parseRelayBatchesTopic(s.topic);
      if (workerId !== undefined) relay.workerReady(workerId, client);
    }
  });
  broker.on('unsubscribe', (topics, client) => {
    if (topics.some((t) => parseRelayBatchesTopic(t) !== undefined)) relay.workerGone(client);
  });
  broker.on('clientDisconnect', (client) => relay.workerGone(client));
}

/**
 * Closes every open connection of a device that is no longer in the registry, and each one
 * made with a secret that has since been rotated.
 */
function evictRemovedDevices(registry: DeviceRegistry, state: GatewayState, logger: Logger): () => void {
  let running = false;
  let again = false;
  const check = async () => {
    const connectedIds = state.deviceConnections.keys();
    if (connectedIds.length === 0) return;
    const registered = new Map((await registry.list()).map((d) => [d.id, d]));
    for (const deviceId of connectedIds) {
      const device = registered.get(deviceId);
      const stale = state.deviceConnections
        .of(deviceId)
        .filter(
          (client) => device === undefined || state.secretOf.get(client) !== device.credentialsIssuedAt,
        );
      if (stale.length === 0) continue;
      const why = device === undefined ? 'device removed' : 'secret rotated';
      logger.info({ deviceId, connections: stale.length }, `${why}: closing its connections`);
      state.metrics.devicesEvicted.inc(
        { reason: device === undefined ? 'removed' : 'rotated' },
        stale.length,
      );
      for (const client of stale) client.close();
    }
  };
  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    check()
      .catch((error: unknown) => logger.error({ err: error }, 'cannot re-read the device registry'))
      .finally(() => {
        running = false;
        if (again) {
          again = false;
          run();
        }
      });
  };
  return run;
}

/** Puts the frame-size check between the connection and aedes. */
function guardFrames(stream: Duplex, remoteAddress: string | undefined, state: GatewayState): Duplex {
  return guardConnection(stream, MAX_FRAME_BYTES, (error) => {
    const reason = error instanceof FrameTooLargeError ? 'frame-too-large' : 'malformed-frame';
    state.metrics.connectionsRefused.inc({ reason });
    state.refusals.note('connection', reason, { address: remoteAddress });
  });
}

function observeBroker(broker: Aedes, state: GatewayState, logger: Logger): void {
  broker.on('clientReady', (client) => {
    const principal = state.principals.get(client);
    const level = principal?.kind === 'service' ? 'info' : 'debug';
    logger[level]({ clientId: client.id, username: principal && nameOf(principal) }, 'client connected');
  });
  broker.on('clientDisconnect', (client) => {
    logger.debug({ clientId: client.id }, 'client disconnected');
  });
  broker.on('clientError', (client, error) => {
    logger.debug({ clientId: client.id, reason: error.message }, 'client connection error');
  });
  broker.on('connectionError', (client, error) => {
    // Refused logins were counted by the authenticate hook (their error carries a CONNACK code).
    if (!('errorCode' in error)) {
      state.metrics.connectionsRefused.inc({ reason: 'protocol-error' });
      state.refusals.note('connection', 'protocol-error', { address: state.remoteAddresses.get(client) });
    }
    logger.debug(
      { clientId: client.id, reason: error.message },
      'connection failed before the session started',
    );
  });
}

function listen(
  server: Server | HttpServer,
  host: string,
  port: number,
): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      const address = server.address();
      if (address && typeof address === 'object') resolve({ host: address.address, port: address.port });
      else reject(new Error(`gateway bound to an unexpected address: ${String(address)}`));
    });
  });
}

/**
 * Stop accepting, let what devices already sent become durable (their PUBACKs go out), then
 * disconnect everyone. Readings arriving meanwhile get no PUBACK: their devices resend them.
 */
async function closeAll(
  server: Server,
  broker: Aedes,
  connections: OpenConnections<Duplex>,
  stages: GatewayState['stages'],
): Promise<void> {
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  stages.intake?.pause();
  await stages.relay?.close(DRAIN_TIMEOUT_MS);
  await waitFor(() => (stages.intake?.pending() ?? 0) === 0, DRAIN_TIMEOUT_MS);
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  for (const address of connections.keys()) for (const stream of connections.of(address)) stream.destroy();
  await serverClosed;
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
