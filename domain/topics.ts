/**
 * MQTT topic scheme. Devices publish to `ucap/{city}/{deviceId}/readings`; one level per id means
 * the broker's ACL and the ingest subscription are plain topic-filter matches.
 */
export const TOPIC_ROOT = 'ucap';
export const READINGS_SUBSCRIPTION = `${TOPIC_ROOT}/+/+/readings`;

/** Device ids double as MQTT usernames and topic levels: no `/`, `+`, `#`, spaces or control chars. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function readingsTopic(city: string, deviceId: string): string {
  return `${TOPIC_ROOT}/${city}/${deviceId}/readings`;
}

export interface ReadingsTopic {
  readonly city: string;
  readonly deviceId: string;
}

/** Returns the city and device named by a readings topic, or undefined when it is not one. */
export function parseReadingsTopic(topic: string): ReadingsTopic | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== TOPIC_ROOT || parts[3] !== 'readings') return undefined;
  const [, city, deviceId] = parts;
  if (!city || !deviceId || !DEVICE_ID_PATTERN.test(deviceId)) return undefined;
  return { city, deviceId };
}

/**
 * The gateway → ingest relay (GATEWAY_INGEST=relay). The gateway packs device messages into batches
 * for one worker at a time on `ucap/_relay/{workerId}/batches`; the worker answers on
 * `ucap/_relay/confirmations` once a batch is durable, and only then do devices get their PUBACKs.
 * `_relay` is not a city id, so no device topic can collide with it.
 */
export const RELAY_ROOT = `${TOPIC_ROOT}/_relay`;
export const RELAY_CONFIRMATIONS_TOPIC = `${RELAY_ROOT}/confirmations`;

export function relayBatchesTopic(workerId: string): string {
  return `${RELAY_ROOT}/${workerId}/batches`;
}

/** The worker id of a relay batches topic, or undefined when the topic is not one. */
export function parseRelayBatchesTopic(topic: string): string | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || `${parts[0]}/${parts[1]}` !== RELAY_ROOT || parts[3] !== 'batches')
    return undefined;
  const workerId = parts[2];
  return workerId && DEVICE_ID_PATTERN.test(workerId) ? workerId : undefined;
}
