import type { DeviceCredentials } from '../../devices/device.ts';
import { openDeviceRegistry } from '../../devices/device-registry.ts';
import { mapBounded } from './map-bounded.ts';

export interface ProvisionOptions {
  /** The registry file the gateway reads (DATA_DIR/devices.json). */
  readonly registryPath: string;
  readonly count: number;
  /** Device ids are `${idPrefix}-0000`, `${idPrefix}-0001`, … (default "load"). */
  readonly idPrefix?: string;
  /** Devices alternate between these cities (default Nice and Zhengzhou). */
  readonly cities?: readonly string[];
  /** Registrations hashing their secret at once: scrypt takes ~46 ms each (default 8). */
  readonly concurrency?: number;
}

export const DEFAULT_CITIES = ['nice', 'zhengzhou'] as const;

/**
 * Registers `count` native-format devices through the real registry, as `ucap devices add` does,
 * and returns each one's credentials. Re-running with the same ids gives them new secrets.
 */
export function provisionDevices(options: ProvisionOptions): Promise<DeviceCredentials[]> {
  const registry = openDeviceRegistry(options.registryPath);
  const cities = options.cities ?? DEFAULT_CITIES;
  const prefix = options.idPrefix ?? 'load';
  const width = Math.max(4, String(options.count - 1).length);
  const inputs = Array.from({ length: options.count }, (_, i) => ({
    id: `${prefix}-${String(i).padStart(width, '0')}`,
    city: cities[i % cities.length] as string,
    format: 'native' as const,
  }));
  return mapBounded(inputs, options.concurrency ?? 8, (input) => registry.ensure(input));
}
