import type { AedesOptions } from 'aedes';

/** Largest MQTT payload accepted (a reading message is well under 2 KiB; 64 KiB leaves room for batches). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

/**
 * Largest MQTT packet accepted on the wire, checked before the packet is buffered: the MQTT
 * parser would otherwise collect up to 256 MiB per connection, even before authentication.
 * Payload plus room for the topic (<= 4 levels of <= 64 chars) and headers.
 */
export const MAX_FRAME_BYTES = MAX_PAYLOAD_BYTES + 1024;

/** Open TCP connections beyond this are refused by the kernel-facing server, not the broker. */
export const MAX_CONNECTIONS = 20_000;

/** Explicit aedes limits; each differs from the default or is restated so the choice is visible. */
export const BROKER_LIMITS = {
  // Messages in flight inside the broker at once. A stalled subscriber holds slots until
  // drainTimeout; 500 lets ingest fall behind briefly without stalling every device's publish.
  concurrency: 500,
  // A subscriber whose socket does not drain for 30 s is disconnected, so one stuck consumer
  // cannot freeze delivery for all (aedes' default is 60 s).
  drainTimeout: 30_000,
  // Packets a client may send before its CONNECT is fully processed. Authentication runs scrypt
  // (tens of ms), so a device may pipeline a few publishes; beyond 64 the connection is dropped.
  queueLimit: 64,
  // A TCP connection that has not sent CONNECT within 10 s is closed (idle-socket exhaustion).
  connectTimeout: 10_000,
  // $SYS heartbeat; nothing here consumes it, so once a minute is plenty.
  heartbeatInterval: 60_000,
  // Our topics have 4 levels; refusing deep topics early keeps the router's work bounded.
  maxTopicLevels: 8,
  // Devices publish QoS 0/1; QoS 2 state per client is capped low to bound memory.
  maxInflightInbound: 100,
  // keepaliveLimit stays 0 (no cap): devices on metered links use long keep-alives, and MQTT
  // 3.1.1 has no CONNACK code to explain a refusal.
} as const satisfies AedesOptions;
