import mqtt, { type MqttClient } from 'mqtt';
import type { DeviceCredentials } from '../devices/device.ts';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import { readingsTopic } from '../domain/topics.ts';
import { nativeReadingPayload } from '../simulators/reading-payload.ts';
import type { DeliveryTracker } from './delivery-tracker.ts';
import { deviceIdsFor, typicalValues } from './synthetic-readings.ts';

const CITIES = ['nice', 'zhengzhou'] as const;

/** Registers `count` native-format devices, alternating between the two cities. */
export function registerBenchDevices(registry: DeviceRegistry, count: number): Promise<DeviceCredentials[]> {
  return Promise.all(
    deviceIdsFor('bench-e2e', count).map((id, i) =>
      registry.ensure({ id, city: CITIES[i % CITIES.length] as string, format: 'native' }),
    ),
  );
}

export interface ConnectedDevice {
  readonly credentials: DeviceCredentials;
  readonly client: MqttClient;
}

/** One mqtt.js client per device, logged in with its own credentials, as a real device would. */
export function connectBenchDevices(
  url: string,
  devices: readonly DeviceCredentials[],
): Promise<ConnectedDevice[]> {
  return Promise.all(
    devices.map(async (credentials) => ({
      credentials,
      client: await mqtt.connectAsync(url, {
        protocolVersion: 4,
        clientId: credentials.id,
        username: credentials.username,
        password: credentials.password,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 30_000,
      }),
    })),
  );
}

export interface PublishPlan {
  readonly messagesPerDevice: number;
  readonly inFlightPerDevice: number;
  /** Timestamp of each device's first message; message i is 1 s later per i. */
  readonly firstTs: number;
  readonly tracker: DeliveryTracker;
}

/**
 * Every device publishes its messages at QoS 1 as fast as the broker acknowledges them, with at most
 * `inFlightPerDevice` unacknowledged. Resolves with performance.now() of the last PUBACK.
 */
export async function publishFromAll(
  devices: readonly ConnectedDevice[],
  plan: PublishPlan,
): Promise<number> {
  await Promise.all(devices.map((device, d) => publishFromOne(device, d, plan)));
  return performance.now();
}

async function publishFromOne(device: ConnectedDevice, index: number, plan: PublishPlan): Promise<void> {
  const { id, city } = device.credentials;
  const topic = readingsTopic(city, id);
  let next = 0;
  const sender = async () => {
    while (next < plan.messagesPerDevice) {
      const i = next++;
      const ts = plan.firstTs + i * 1000;
      const values = typicalValues(i, index);
      const payload = nativeReadingPayload(ts, values, i);
      plan.tracker.sent(id, ts, Object.keys(values).length, performance.now());
      await device.client.publishAsync(topic, payload, { qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: plan.inFlightPerDevice }, sender));
}

export async function disconnectBenchDevices(devices: readonly ConnectedDevice[]): Promise<void> {
  await Promise.all(devices.map((device) => device.client.endAsync()));
}
