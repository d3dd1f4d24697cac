import { cityIdSchema } from '../domain/cities.ts';
import {
  DEVICE_ID_PATTERN,
  parseReadingsTopic,
  parseRelayBatchesTopic,
  READINGS_SUBSCRIPTION,
  RELAY_CONFIRMATIONS_TOPIC,
  readingsTopic,
  TOPIC_ROOT,
} from '../domain/topics.ts';

/** Who is on the other end of an authenticated MQTT connection. */
export type Principal =
  | { readonly kind: 'device'; readonly deviceId: string; readonly city: string }
  | { readonly kind: 'service'; readonly username: string };

export type RefusalReason =
  | 'foreign-topic'
  | 'topic-not-allowed'
  | 'service-account-device-topic'
  | 'shared-subscription';

export type Decision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: RefusalReason };

const ALLOW: Decision = Object.freeze({ allowed: true });
const refuse = (reason: RefusalReason): Decision => ({ allowed: false, reason });

/** Where a device may receive commands (the only thing a device may subscribe to). */
export function commandsTopic(city: string, deviceId: string): string {
  return `${TOPIC_ROOT}/${city}/${deviceId}/commands`;
}

/**
 * A device publishes only its own readings topic; city and id in the topic are therefore facts
 * the broker checked, which is why ingest trusts them over anything in the payload. The service
 * account publishes no readings (it could forge any device's); it may send device commands.
 */
export function decidePublish(principal: Principal, topic: string): Decision {
  if (principal.kind === 'device') {
    if (topic === readingsTopic(principal.city, principal.deviceId)) return ALLOW;
    return parseReadingsTopic(topic) ? refuse('foreign-topic') : refuse('topic-not-allowed');
  }
  if (parseReadingsTopic(topic)) return refuse('service-account-device-topic');
  return isCommandsTopic(topic) || topic === RELAY_CONFIRMATIONS_TOPIC ? ALLOW : refuse('topic-not-allowed');
}

/**
 * Only the service account reads readings (`ucap/+/+/readings` or narrower, or its relay batches
 * `ucap/_relay/{workerId}/batches`); a device may
 * subscribe to its own commands topic and nothing else. `$share/...` is refused by name: aedes
 * acknowledges such subscriptions but never delivers to them, which would hide a misconfigured
 * consumer instead of showing it.
 */
export function decideSubscribe(principal: Principal, filter: string): Decision {
  if (filter.startsWith('$share/')) return refuse('shared-subscription');
  if (principal.kind === 'device') {
    return filter === commandsTopic(principal.city, principal.deviceId) ? ALLOW : refuse('topic-not-allowed');
  }
  return isReadingsFilter(filter) || parseRelayBatchesTopic(filter) !== undefined
    ? ALLOW
    : refuse('topic-not-allowed');
}

/** Last line of defence at delivery time (also for messages queued in a stored session). */
export function mayReceive(principal: Principal, topic: string): boolean {
  if (principal.kind === 'service')
    return parseReadingsTopic(topic) !== undefined || parseRelayBatchesTopic(topic) !== undefined;
  return topic === commandsTopic(principal.city, principal.deviceId);
}

/** `ucap/+/+/readings`, or the same with a concrete city and/or device id. */
export function isReadingsFilter(filter: string): boolean {
  const levels = filter.split('/');
  const wanted = READINGS_SUBSCRIPTION.split('/');
  if (levels.length !== wanted.length || levels[0] !== wanted[0] || levels[3] !== wanted[3]) return false;
  const [, city = '', device = ''] = levels;
  return (
    (city === '+' || cityIdSchema.safeParse(city).success) &&
    (device === '+' || DEVICE_ID_PATTERN.test(device))
  );
}

function isCommandsTopic(topic: string): boolean {
  const [root, city = '', device = '', leaf, ...rest] = topic.split('/');
  return (
    root === TOPIC_ROOT &&
    leaf === 'commands' &&
    rest.length === 0 &&
    cityIdSchema.safeParse(city).success &&
    DEVICE_ID_PATTERN.test(device)
  );
}
