/**
 * The gateway's availability limits: what one device, one source address or one flood may cost.
 * Defaults sit far above a real sensor's needs (one connection, a reading every few seconds) and
 * above the project's load tests (hundreds of devices from 127.0.0.1, 50 msgs/s each).
 */
export interface GatewayLimits {
  /** Open MQTT connections per device id (several client ids); the next one is refused (CONNACK 3). */
  readonly maxConnectionsPerDevice: number;
  /** Open TCP connections per source address; beyond it the socket is closed before MQTT starts. */
  readonly maxConnectionsPerAddress: number;
  /** Longest keep-alive honoured, seconds; a client asking for more (or 0 = never) gets this one. */
  readonly maxKeepaliveSeconds: number;
  /** Failed logins for one device id before further attempts wait out a backoff (no scrypt run). */
  readonly loginFailuresPerDevice: number;
  /** Failed logins from one source address before further attempts wait out a backoff. */
  readonly loginFailuresPerAddress: number;
  /** Longest backoff after repeated failures, ms (it doubles from 1 s at each further failure). */
  readonly loginBackoffMaxMs: number;
  /** PUBLISH packets per second per device, with a burst of one second's worth. */
  readonly publishesPerDeviceSecond: number;
  /** Payload bytes per second per device, with a burst of one second's worth (at least one max-size payload). */
  readonly publishBytesPerDeviceSecond: number;
  /** How often refused connections and publishes are summarised in one log line, ms. */
  readonly refusalLogIntervalMs: number;
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  maxConnectionsPerDevice: 4,
  maxConnectionsPerAddress: 10_000,
  maxKeepaliveSeconds: 3600,
  loginFailuresPerDevice: 5,
  loginFailuresPerAddress: 50,
  loginBackoffMaxMs: 60_000,
  publishesPerDeviceSecond: 500,
  publishBytesPerDeviceSecond: 1024 * 1024,
  refusalLogIntervalMs: 60_000,
};
