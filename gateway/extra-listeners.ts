import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { MAX_FRAME_BYTES } from './broker-limits.ts';

/** Where the optional listeners are; each is off when its port is unset. */
export interface GatewayListeners {
  /** PEM certificate chain and key: enable mqtts on tlsPort and make the WebSocket listener wss. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
  readonly tlsPort?: number;
  readonly wsPort?: number;
}

/** The WebSocket path browsers and bridges connect to (ws[s]://host:MQTT_WS_PORT/mqtt). */
export const WS_PATH = '/mqtt';

/** A TLS handshake not done within this long is dropped (idle-socket exhaustion). */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export type Accept = (stream: Duplex, remoteAddress: string | undefined) => void;

export interface ExtraListener {
  readonly kind: 'mqtts' | 'ws' | 'wss';
  readonly server: NetServer | HttpServer;
  close(): Promise<void>;
}

/**
 * mqtts (MQTT over TLS) and MQTT over WebSocket, each handing its connections to `accept`, the
 * same entry as plain TCP: frame-size guard, per-address limit and authentication apply alike.
 */
export function createExtraListeners(config: GatewayListeners, accept: Accept): ExtraListener[] {
  const listeners: ExtraListener[] = [];
  if (config.tls && config.tlsPort !== undefined) {
    const server = createTlsServer({ ...config.tls, handshakeTimeout: HANDSHAKE_TIMEOUT_MS }, (socket) =>
      accept(socket, socket.remoteAddress),
    );
    server.on('tlsClientError', (_error, socket) => socket.destroy());
    listeners.push({ kind: 'mqtts', server, close: () => closeServer(server) });
  }
  if (config.wsPort !== undefined) {
    const server = config.tls
      ? createHttpsServer({ ...config.tls, handshakeTimeout: HANDSHAKE_TIMEOUT_MS })
      : createHttpServer();
    // A WebSocket message carries MQTT bytes; none may be larger than the largest MQTT packet.
    const wss = new WebSocketServer({ server, path: WS_PATH, maxPayload: MAX_FRAME_BYTES + 16 });
    wss.on('connection', (ws, request) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => stream.destroy());
      accept(stream, request.socket.remoteAddress);
    });
    listeners.push({
      kind: config.tls ? 'wss' : 'ws',
      server,
      close: async () => {
        for (const client of wss.clients) client.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        server.closeAllConnections();
        await closeServer(server);
      },
    });
  }
  return listeners;
}

/** The port each listener should bind. */
export function portOf(config: GatewayListeners, kind: ExtraListener['kind']): number {
  return (kind === 'mqtts' ? config.tlsPort : config.wsPort) ?? 0;
}

function closeServer(server: NetServer | HttpServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
