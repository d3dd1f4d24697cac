import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface GatewayMetrics {
  readonly connectionsRefused: Counter<'reason'>;
  readonly publishesRefused: Counter<'reason'>;
  readonly subscriptionsRefused: Counter<'reason'>;
  readonly messagesPublished: Counter<'city'>;
  /** From a QoS 1 reading's arrival to the moment it is durable and its PUBACK goes out. */
  readonly storeToAckSeconds: Histogram;
  readonly retainStripped: Counter;
  readonly keepaliveCapped: Counter;
  readonly devicesEvicted: Counter<'reason'>;
}

/** Live values read when /metrics is scraped. */
export interface GatewayGauges {
  readonly connectedClients: () => number;
  /** Readings received whose PUBACK waits for the store. */
  readonly awaitingStore: () => number;
  /** Relay: messages handed to ingest workers and not yet confirmed durable. */
  readonly unconfirmed: () => number;
}

/** Registers the gateway's metrics on the process registry; gauges read the gateway live. */
export function createGatewayMetrics(registry: Registry, gauges: GatewayGauges): GatewayMetrics {
  const registers = [registry];
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  gauge(
    'ucap_gateway_connected_clients',
    'MQTT clients currently connected and authenticated.',
    gauges.connectedClients,
  );
  gauge(
    'ucap_gateway_readings_awaiting_store',
    'Readings received whose PUBACK waits until they are durable (bounded: backpressure holds the devices).',
    gauges.awaitingStore,
  );
  gauge(
    'ucap_gateway_relay_unconfirmed_messages',
    'Relay mode: messages handed to ingest workers and not yet confirmed durable (at most GATEWAY_RELAY_MAX_UNCONFIRMED).',
    gauges.unconfirmed,
  );
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
    storeToAckSeconds: new Histogram({
      name: 'ucap_gateway_puback_delay_seconds',
      help: 'Time from a QoS 1 reading arriving to its PUBACK, which waits until the reading is durable.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
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
