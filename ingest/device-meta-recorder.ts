import type { DeviceRegistry } from '../devices/device-registry.ts';
import type { Logger } from '../platform/logger.ts';

export type DeviceMeta = Readonly<Record<string, string>>;

/**
 * Keeps the quality metadata devices report in their payloads (airrohr firmware, TTN dev_eui, …)
 * on the device in the registry, not on every point. Registry writes take a file lock and rewrite
 * the whole file, so the recorder remembers what each device already has and writes only when a
 * reported value differs: a device sending the same firmware with every message costs one
 * registry read, once. A change made elsewhere (the CLI) after that is not seen until restart;
 * the next differing value reported is still merged in.
 */
export interface DeviceMetaRecorder {
  /** Never throws and never waits: a failed registry write is logged and retried on a later message. */
  record(deviceId: string, meta: DeviceMeta): void;
  /** Resolves when every recording started so far has settled (for shutdown). */
  idle(): Promise<void>;
}

export function createDeviceMetaRecorder(
  registry: Pick<DeviceRegistry, 'get' | 'updateMeta'>,
  logger: Logger,
): DeviceMetaRecorder {
  const known = new Map<string, DeviceMeta>();
  const pending = new Map<string, Promise<void>>();

  const apply = async (deviceId: string, meta: DeviceMeta): Promise<void> => {
    const current = known.get(deviceId) ?? (await registry.get(deviceId))?.meta ?? {};
    if (!differs(meta, current)) {
      known.set(deviceId, current);
      return;
    }
    const device = await registry.updateMeta(deviceId, meta);
    // An unregistered device is remembered too, so its messages do not each ask again.
    known.set(deviceId, device?.meta ?? { ...current, ...meta });
    if (device !== undefined) logger.info({ deviceId, meta }, 'device metadata updated');
  };

  return {
    record(deviceId, meta) {
      const cached = known.get(deviceId);
      if (cached !== undefined && !differs(meta, cached)) return;
      // One update at a time per device: a burst of messages reporting a new firmware writes once.
      const previous = pending.get(deviceId) ?? Promise.resolve();
      const next = previous
        .then(() => apply(deviceId, meta))
        .catch((error: unknown) => {
          logger.warn({ deviceId, err: error }, 'cannot record device metadata; will try again');
        })
        .finally(() => {
          if (pending.get(deviceId) === next) pending.delete(deviceId);
        });
      pending.set(deviceId, next);
    },
    async idle() {
      await Promise.all(pending.values());
    },
  };
}

function differs(reported: DeviceMeta, current: DeviceMeta): boolean {
  return Object.entries(reported).some(([key, value]) => current[key] !== value);
}
