import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import type { Registry } from 'prom-client';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import type { CityCatalog } from '../domain/cities.ts';
import type { Logger } from '../platform/logger.ts';
import { createAuthenticateHook, type ServiceAccount } from './authenticate-hook.ts';
import { createAuthorizeHooks } from './authorize-hooks.ts';
import { BROKER_LIMITS, MAX_CONNECTIONS, MAX_FRAME_BYTES } from './broker-limits.ts';
import {
  type BrokerPersistence,
  type BrokerPersistenceOption,
  openBrokerPersistence,
} from './broker-persistence.ts';
import { FrameTooLargeError, guardConnection } from './frame-size-guard.ts';
import { createGatewayMetrics, type GatewayMetrics } from './gateway-metrics.ts';
import { nameOf, Principals } from './principals.ts';

export type { ServiceAccount } from './authenticate-hook.ts';
export type { BrokerPersistenceOption } from './broker-persistence.ts';

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
  /** Where sessions and queued QoS 1 messages live; default `'memory'` (lost when the process stops). */
  readonly persistence?: BrokerPersistenceOption;
}

export interface Gateway {
  /** Starts accepting MQTT 3.1.1 over TCP; resolves with the address actually bound. */
  listen(): Promise<{ host: string; port: number }>;
  /** Stops accepting, disconnects every client, closes the broker and its persistence. Idempotent. */
  close(): Promise<void>;
  readonly broker: Aedes;
}

/** Builds the MQTT broker with the device ACL; nothing listens until `listen()`. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { logger } = options;
  const principals = new Principals();
  const remoteAddresses = new WeakMap<Client, string | undefined>();
  let connected = (): number => 0;
  const metrics = createGatewayMetrics(options.metrics, () => connected());
  const persistence = await openBrokerPersistence(options.persistence ?? 'memory');
  const broker = await createBroker(options, persistence, principals, metrics, remoteAddresses);
  connected = () => broker.connectedClients;
  observeBroker(broker, principals, logger);

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
    listen: () => listen(server, options.host, options.port),
    close: () => {
      closing ??= closeAll(server, broker, sockets, persistence);
      return closing;
    },
  };
}

async function createBroker(
  options: GatewayOptions,
  persistence: BrokerPersistence,
  principals: Principals,
  metrics: GatewayMetrics,
  remoteAddresses: WeakMap<Client, string | undefined>,
): Promise<Aedes> {
  const { logger } = options;
  try {
    return await Aedes.createBroker({
      ...BROKER_LIMITS,
      ...(persistence.aedes && { persistence: persistence.aedes }),
      authenticate: createAuthenticateHook({
        ...options,
        principals,
        metrics,
        remoteAddressOf: (client) => remoteAddresses.get(client),
      }),
      ...createAuthorizeHooks({ registry: options.registry, principals, metrics, logger }),
    });
  } catch (error) {
    await persistence.close();
    throw error;
  }
}

/** Puts the frame-size check between the socket and aedes. */
function guardFrames(socket: Socket, metrics: GatewayMetrics, logger: Logger): Duplex {
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

async function closeAll(
  server: Server,
  broker: Aedes,
  sockets: Set<Socket>,
  persistence: BrokerPersistence,
): Promise<void> {
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  for (const socket of sockets) socket.destroy();
  await serverClosed;
  // Last: clients closing their sessions still write to it.
  await persistence.close();
}
