import { Counter, Gauge, type Registry } from 'prom-client';

export interface GatewayMetrics {
  readonly connectionsRefused: Counter<'reason'>;
  readonly publishesRefused: Counter<'reason'>;
  readonly subscriptionsRefused: Counter<'reason'>;
  readonly messagesPublished: Counter<'city'>;
  readonly retainStripped: Counter;
  readonly keepaliveCapped: Counter;
  readonly devicesEvicted: Counter<'reason'>;
}

/** Registers the gateway's metrics on the process registry; `connectedClients` reads the broker live. */
export function createGatewayMetrics(registry: Registry, connectedClients: () => number): GatewayMetrics {
  const registers = [registry];
  new Gauge({
    name: 'ucap_gateway_connected_clients',
    help: 'MQTT clients currently connected and authenticated.',
    registers,
    collect() {
      this.set(connectedClients());
    },
  });
  return {
    connectionsRefused: new Counter({
      name: 'ucap_gateway_connections_refused_total',
      help: 'MQTT connections refused, by reason (bad-credentials, missing-credentials, busy, device-throttled, address-throttled, device-connection-limit, address-connection-limit, frame-too-large, ...).',
      labelNames: ['reason'],
      registers,
    }),
    publishesRefused: new Counter({
      name: 'ucap_gateway_publishes_refused_total',
      help: 'PUBLISH packets refused (the connection is closed), by reason.',
      labelNames: ['reason'],
      registers,
    }),
    subscriptionsRefused: new Counter({
      name: 'ucap_gateway_subscriptions_refused_total',
      help: 'Subscription filters refused (SUBACK 0x80), by reason.',
      labelNames: ['reason'],
      registers,
    }),
    messagesPublished: new Counter({
      name: 'ucap_gateway_messages_published_total',
      help: 'Messages accepted from clients, by the city in their topic.',
      labelNames: ['city'],
      registers,
    }),
    retainStripped: new Counter({
      name: 'ucap_gateway_retain_stripped_total',
      help: 'Retained publishes from devices passed on without the retain flag (readings are never kept as broker state).',
      registers,
    }),
    keepaliveCapped: new Counter({
      name: 'ucap_gateway_keepalive_capped_total',
      help: 'Connections whose keep-alive (0 or above GATEWAY_MAX_KEEPALIVE_S) was lowered to the limit.',
      registers,
    }),
    devicesEvicted: new Counter({
      name: 'ucap_gateway_connections_evicted_total',
      help: 'Open device connections closed because the device was removed (removed) or its secret rotated (rotated).',
      labelNames: ['reason'],
      registers,
    }),
  };
}
