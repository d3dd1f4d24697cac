import { type FSWatcher, watch } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { UcapError } from '../domain/errors.ts';
import {
  type Device,
  type DeviceCredentials,
  type DeviceRecord,
  deviceMetaSchema,
  type NewDevice,
  newDeviceSchema,
} from './device.ts';
import { withFileLock } from './file-lock.ts';
import { RegistryFile, type RegistrySnapshot } from './registry-file.ts';
import { generateSecret, hashSecret } from './secret-hash.ts';
import { createSecretVerifier, type SecretVerifierOptions, type VerifyOptions } from './secret-verifier.ts';

export interface DeviceFilter {
  readonly city?: string | undefined;
}

/** The registered devices and their secrets, shared by the CLI, the gateway, simulators and the API. */
export interface DeviceRegistry {
  list(filter?: DeviceFilter): Promise<Device[]>;
  get(id: string): Promise<Device | undefined>;
  /** Registers a new device and returns its credentials (the only time the password is visible). */
  add(input: NewDevice): Promise<DeviceCredentials>;
  /**
   * Registers the device, or, if it exists in the same city, gives it a new secret and the
   * input's format, location and meta, keeping createdAt. Simulators call it at each start.
   */
  ensure(input: NewDevice): Promise<DeviceCredentials>;
  /**
   * Registers many new devices in one registry write, all or none: every input is validated and
   * checked against the registry first. Secrets are hashed in parallel on the thread pool;
   * `onProgress(done, total)` follows the hashing.
   */
  addMany(
    inputs: readonly NewDevice[],
    onProgress?: (hashed: number, total: number) => void,
  ): Promise<DeviceCredentials[]>;
  /** Gives the device a new secret and returns its credentials; the old secret stops working at once. */
  rotate(id: string): Promise<DeviceCredentials>;
  remove(id: string): Promise<void>;
  /**
   * Merges `meta` into the device's meta (keys not named are kept) and returns the device, or
   * undefined when no such device is registered. The file is rewritten only if a value changed.
   */
  updateMeta(id: string, meta: Readonly<Record<string, string>>): Promise<Device | undefined>;
  /** The device when the password is its current secret, undefined otherwise. */
  authenticate(id: string, password: string, options?: VerifyOptions): Promise<Device | undefined>;
  /**
   * Calls `onChange` soon after the registry file changes (any process: CLI, admin API), at most
   * `pollMs` late where file events are unavailable. Returns the function that stops watching.
   */
  watch(onChange: () => void, pollMs?: number): () => void;
}

export interface DeviceRegistryOptions {
  readonly verifier?: SecretVerifierOptions;
  /** How long a read trusts the last check of the file (default REGISTRY_FRESH_MS). */
  readonly freshMs?: number;
}

export function deviceRegistryPath(dataDir: string): string {
  return join(dataDir, 'devices.json');
}

export function openDeviceRegistry(path: string, options: DeviceRegistryOptions = {}): DeviceRegistry {
  const file = new RegistryFile(path, options.freshMs);
  const verifier = createSecretVerifier(options.verifier);
  // In-process queue first, so this process's own writers do not spin on the lock file.
  let queue: Promise<unknown> = Promise.resolve();
  const update = <T>(change: (snapshot: RegistrySnapshot) => { records?: DeviceRecord[]; result: T }) => {
    const run = async () => {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 }).catch((error: unknown) => {
        throw new UcapError(
          'REGISTRY_UNAVAILABLE',
          `cannot create the directory of ${path}: ${String(error)}`,
          {
            cause: error,
          },
        );
      });
      return withFileLock(`${path}.lock`, async () => {
        // Fresh under the lock: another process may have written a moment ago.
        const { records, result } = change(await file.read({ fresh: true }));
        if (records) await file.write(records);
        return result;
      });
    };
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    async list(filter = {}) {
      // Fresh: listing is rare (API, CLI, the gateway's removal check), unlike get() per message.
      const { devices } = await file.read({ fresh: true });
      return devices.filter((d) => filter.city === undefined || d.city === filter.city);
    },
    async get(id) {
      return (await file.read()).devicesById.get(id);
    },
    async add(input) {
      const device = parseNewDevice(input);
      if ((await file.read()).records.has(device.id)) throw exists(device.id);
      const password = generateSecret();
      const secretHash = await hashSecret(password);
      return update((snapshot) => {
        if (snapshot.records.has(device.id)) throw exists(device.id);
        const now = new Date().toISOString();
        const record = { ...device, secretHash, createdAt: now, credentialsIssuedAt: now };
        return { records: [...snapshot.records.values(), record], result: credentials(record, password) };
      });
    },
    async ensure(input) {
      const device = parseNewDevice(input);
      const password = generateSecret();
      const secretHash = await hashSecret(password);
      return update((snapshot) => {
        const existing = snapshot.records.get(device.id);
        if (existing && existing.city !== device.city) throw exists(device.id, existing.city);
        const now = new Date().toISOString();
        const record = {
          ...device,
          secretHash,
          createdAt: existing?.createdAt ?? now,
          credentialsIssuedAt: now,
        };
        const others = [...snapshot.records.values()].filter((r) => r.id !== device.id);
        return { records: [...others, record], result: credentials(record, password) };
      });
    },
    async addMany(inputs, onProgress) {
      const devices = inputs.map(parseNewDevice);
      const seen = new Set<string>();
      for (const device of devices) {
        if (seen.has(device.id))
          throw new UcapError('DEVICE_INVALID', `device "${device.id}" is listed twice`);
        seen.add(device.id);
      }
      const registered = (await file.read()).records;
      const taken = devices.filter((d) => registered.has(d.id)).map((d) => d.id);
      if (taken.length > 0) throw existAlready(taken);
      const passwords = devices.map(() => generateSecret());
      const hashes = await mapBounded(passwords, HASH_PARALLELISM, hashSecret, onProgress);
      return update((snapshot) => {
        const clash = devices.filter((d) => snapshot.records.has(d.id)).map((d) => d.id);
        if (clash.length > 0) throw existAlready(clash);
        const createdAt = new Date().toISOString();
        const records = devices.map((d, i) => ({
          ...d,
          secretHash: hashes[i] ?? '',
          createdAt,
          credentialsIssuedAt: createdAt,
        }));
        return {
          records: [...snapshot.records.values(), ...records],
          result: records.map((r, i) => credentials(r, passwords[i] ?? '')),
        };
      });
    },
    async rotate(id) {
      const password = generateSecret();
      const secretHash = await hashSecret(password);
      return update((snapshot) => {
        const record = snapshot.records.get(id);
        if (!record) throw notFound(id, path);
        const rotated = { ...record, secretHash, credentialsIssuedAt: new Date().toISOString() };
        const others = [...snapshot.records.values()].filter((r) => r.id !== id);
        return { records: [...others, rotated], result: credentials(rotated, password) };
      });
    },
    async remove(id) {
      await update((snapshot) => {
        if (!snapshot.records.has(id)) throw notFound(id, path);
        return { records: [...snapshot.records.values()].filter((r) => r.id !== id), result: undefined };
      });
    },
    async updateMeta(id, meta) {
      return update((snapshot) => {
        const record = snapshot.records.get(id);
        if (record === undefined) return { result: undefined };
        const merged = parseMeta(id, { ...record.meta, ...meta });
        const changed = Object.entries(merged).some(([key, value]) => record.meta?.[key] !== value);
        if (!changed) return { result: snapshot.devicesById.get(id) };
        const updated = { ...record, meta: merged };
        const others = [...snapshot.records.values()].filter((r) => r.id !== id);
        const { secretHash: _hidden, ...device } = updated;
        return { records: [...others, updated], result: device };
      });
    },
    watch(onChange, pollMs = 2000) {
      return watchFile(path, onChange, pollMs);
    },
    async authenticate(id, password, options) {
      const snapshot = await file.read({ fresh: true });
      const record = snapshot.records.get(id);
      if (!record) return undefined;
      const ok = await verifier.verify(id, password, record.secretHash, options);
      return ok ? snapshot.devicesById.get(id) : undefined;
    },
  };
}

type ParsedNewDevice = Omit<DeviceRecord, 'secretHash' | 'createdAt' | 'credentialsIssuedAt'>;

function parseNewDevice(input: NewDevice): ParsedNewDevice {
  const parsed = newDeviceSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || 'device'}: ${i.message}`)
      .join('; ');
    throw new UcapError('DEVICE_INVALID', `invalid device registration: ${problems}`);
  }
  const { format, location, meta, ...rest } = parsed.data;
  return {
    ...rest,
    format: format ?? 'native',
    ...(location === undefined ? {} : { location }),
    ...(meta === undefined ? {} : { meta }),
  };
}

function parseMeta(id: string, meta: Record<string, string>): Record<string, string> {
  const parsed = deviceMetaSchema.safeParse(meta);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `meta.${i.path.join('.')}: ${i.message}`).join('; ');
  throw new UcapError('DEVICE_INVALID', `invalid metadata for device "${id}": ${problems}`);
}

function credentials(record: DeviceRecord, password: string): DeviceCredentials {
  return { id: record.id, city: record.city, username: record.id, password };
}

function notFound(id: string, path: string): UcapError {
  return new UcapError('DEVICE_NOT_FOUND', `no device "${id}" is registered in ${path}`);
}

function existAlready(ids: readonly string[]): UcapError {
  const shown = ids.slice(0, 10).join(', ');
  const more = ids.length > 10 ? ` and ${ids.length - 10} more` : '';
  return new UcapError('DEVICE_EXISTS', `already registered: ${shown}${more}; nothing was changed`);
}

/** scrypt runs on libuv's pool (4 threads by default): more in flight would only queue there. */
const HASH_PARALLELISM = Math.max(1, Math.min(4, availableParallelism()));

async function mapBounded<T, R>(
  items: readonly T[],
  parallelism: number,
  work: (item: T) => Promise<R>,
  onProgress?: (done: number, total: number) => void,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
      onProgress?.(++done, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallelism, items.length) }, worker));
  return results;
}

function exists(id: string, otherCity?: string): UcapError {
  const where = otherCity === undefined ? '' : ` in city "${otherCity}"`;
  return new UcapError('DEVICE_EXISTS', `device "${id}" is already registered${where}; choose another id`);
}

/** The file is replaced by rename, so the directory is watched; a poll covers file systems without events. */
function watchFile(path: string, onChange: () => void, pollMs: number): () => void {
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, name) => {
      if (name === null || name === basename(path)) onChange();
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined;
  }
  const timer = setInterval(onChange, pollMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    watcher?.close();
  };
}
