import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type Client } from 'aedes';
import type { Registry } from 'prom-client';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import type { CityCatalog } from '../domain/cities.ts';
import { parseRelayBatchesTopic } from '../domain/topics.ts';
import type { MessageSink } from '../ingest/reading-pipeline.ts';
import type { Logger } from '../platform/logger.ts';
import { createAuthenticateHook, type ServiceAccount } from './authenticate-hook.ts';
import { createAuthorizeHooks } from './authorize-hooks.ts';
import { BROKER_LIMITS, MAX_CONNECTIONS, MAX_FRAME_BYTES } from './broker-limits.ts';
import { FrameTooLargeError, guardConnection } from './frame-size-guard.ts';
import { createGatewayMetrics, type GatewayMetrics } from './gateway-metrics.ts';
import { nameOf, Principals } from './principals.ts';
import { createReadingIntake, type ReadingIntake } from './reading-intake.ts';
import { createRelaySink, type RelayLimits, type RelaySink } from './relay-sink.ts';

export type { ServiceAccount } from './authenticate-hook.ts';

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
}

export interface Gateway {
  /** Starts accepting MQTT 3.1.1 over TCP; resolves with the address actually bound. */
  listen(): Promise<{ host: string; port: number }>;
  /** Stops accepting, disconnects every client, closes the broker and its persistence. Idempotent. */
  close(): Promise<void>;
  readonly broker: Aedes;
  /** The relay's state in `relay` mode (for readiness and tests). */
  readonly relay: RelaySink | undefined;
  /** QoS 1 readings received whose PUBACK waits for the store. */
  pendingReadings(): number;
}

/** Builds the MQTT broker with the device ACL; nothing listens until `listen()`. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { logger } = options;
  const principals = new Principals();
  const remoteAddresses = new WeakMap<Client, string | undefined>();
  let connected = (): number => 0;
  const stages: { intake?: ReadingIntake; relay?: RelaySink } = {};
  const metrics = createGatewayMetrics(options.metrics, {
    connectedClients: () => connected(),
    awaitingStore: () => stages.intake?.pending() ?? 0,
    unconfirmed: () => stages.relay?.stats().unconfirmed ?? 0,
  });
  const broker = await createBroker(options, principals, metrics, remoteAddresses, stages);
  connected = () => broker.connectedClients;
  observeBroker(broker, principals, logger);
  skipRoutingOfStoredReadings(broker, stages);
  const intakeOption = options.intake;
  if (intakeOption?.kind === 'relay') {
    stages.relay = createRelaySink(broker, logger.child({ component: 'relay' }), intakeOption.limits);
    watchRelayWorkers(broker, principals, stages.relay);
  }
  if (intakeOption !== undefined) {
    const sink = intakeOption.kind === 'embedded' ? intakeOption.pipeline : stages.relay;
    if (sink) stages.intake = createReadingIntake({ sink, relay: stages.relay, metrics, logger });
  }

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const client = broker.handle(guardFrames(socket, metrics, logger));
    remoteAddresses.set(client, socket.remoteAddress);
  });
  server.maxConnections = MAX_CONNECTIONS;

  let closing: Promise<void> | undefined;
  return {
    broker,
    relay: stages.relay,
    pendingReadings: () => stages.intake?.pending() ?? 0,
    listen: () => listen(server, options.host, options.port),
    close: () => {
      closing ??= closeAll(server, broker, sockets, stages);
      return closing;
    },
  };
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

async function createBroker(
  options: GatewayOptions,
  principals: Principals,
  metrics: GatewayMetrics,
  remoteAddresses: WeakMap<Client, string | undefined>,
  stages: { readonly intake?: ReadingIntake },
): Promise<Aedes> {
  const { logger } = options;
  const acl = createAuthorizeHooks({ registry: options.registry, principals, metrics, logger });
  // In-memory broker state only: readings are never queued in the broker (the device keeps what
  // was not acknowledged), so nothing of value is lost with it.
  return Aedes.createBroker({
    ...BROKER_LIMITS,
    authenticate: createAuthenticateHook({
      ...options,
      principals,
      metrics,
      remoteAddressOf: (client) => remoteAddresses.get(client),
    }),
    ...acl,
    authorizePublish: (client, packet, callback) =>
      acl.authorizePublish(client, packet, (error) => {
        const intake = stages.intake;
        if (error || intake === undefined) callback(error);
        else intake.authorizePublish(client, packet, callback);
      }),
  });
}

/** Puts the frame-size check between the socket and aedes. */
function guardFrames(socket: Socket, metrics: GatewayMetrics, logger: Logger): Socket {
  return guardConnection(socket, MAX_FRAME_BYTES, (error) => {
    metrics.connectionsRefused.inc({ reason: 'frame-too-large' });
    const bytes = error instanceof FrameTooLargeError ? error.frameBytes : undefined;
    logger.warn(
      { remoteAddress: socket.remoteAddress, bytes, limit: MAX_FRAME_BYTES, reason: error.message },
      'connection closed: MQTT packet too large or malformed',
    );
  });
}

function observeBroker(broker: Aedes, principals: Principals, logger: Logger): void {
  broker.on('clientReady', (client) => {
    principals.hold(client);
    const principal = principals.get(client);
    const level = principal?.kind === 'service' ? 'info' : 'debug';
    logger[level]({ clientId: client.id, username: principal && nameOf(principal) }, 'client connected');
  });
  broker.on('clientDisconnect', (client) => {
    principals.release(client);
    logger.debug({ clientId: client.id }, 'client disconnected');
  });
  broker.on('clientError', (client, error) => {
    logger.debug({ clientId: client.id, err: error }, 'client connection error');
  });
  broker.on('connectionError', (client, error) => {
    logger.warn({ clientId: client.id, err: error }, 'connection failed before the session started');
  });
}

function listen(server: Server, host: string, port: number): Promise<{ host: string; port: number }> {
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
  sockets: Set<Socket>,
  stages: { readonly intake?: ReadingIntake; readonly relay?: RelaySink },
): Promise<void> {
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  stages.intake?.pause();
  await stages.relay?.close(DRAIN_TIMEOUT_MS);
  await waitFor(() => (stages.intake?.pending() ?? 0) === 0, DRAIN_TIMEOUT_MS);
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  for (const socket of sockets) socket.destroy();
  await serverClosed;
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
