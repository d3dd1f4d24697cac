import { mkdir, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { UcapError } from '../domain/errors.ts';
import { replaceFile } from './atomic-file.ts';
import { type Device, type DeviceRecord, deviceRecordSchema } from './device.ts';
import { errorCode } from './file-lock.ts';

/** The registry file: `{"version": 1, "devices": [DeviceRecord, ...]}`. */
const registryFileSchema = z.object({
  version: z.literal(1),
  devices: z.array(deviceRecordSchema).superRefine((devices, ctx) => {
    const seen = new Set<string>();
    for (const [index, device] of devices.entries()) {
      if (seen.has(device.id))
        ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate id "${device.id}"` });
      seen.add(device.id);
    }
  }),
});

/** One parsed version of the file. Frozen: callers share it. */
export interface RegistrySnapshot {
  readonly records: ReadonlyMap<string, Readonly<DeviceRecord>>;
  /** Sorted by id, without secret hashes. */
  readonly devices: readonly Readonly<Device>[];
  readonly devicesById: ReadonlyMap<string, Readonly<Device>>;
}

const EMPTY: RegistrySnapshot = buildSnapshot([]);

/**
 * How long a checked snapshot is trusted before the file is looked at again. The gateway reads the
 * registry for every message (format, removed devices); one stat per message measured a third of
 * its CPU at 5,000 msgs/s. A change made by another process (the CLI) is seen within this time;
 * this process's own writes at once.
 */
export const REGISTRY_FRESH_MS = 250;

/**
 * Reads the registry file, re-parsing only when it changed. Every write replaces the file by
 * rename (a new inode), so inode + size + nanosecond mtime tells a changed file from the cached
 * one with one stat call: a device added by the CLI is seen within REGISTRY_FRESH_MS, with no polling.
 */
export class RegistryFile {
  readonly path: string;
  #cacheKey: string | undefined;
  #cached: RegistrySnapshot = EMPTY;
  /** performance.now() of the last completed check; concurrent readers share one check. */
  #checkedAt = Number.NEGATIVE_INFINITY;
  #checking: Promise<RegistrySnapshot> | undefined;
  /** Bumped by every write of this process, so a check begun before it cannot pass for fresh. */
  #writes = 0;

  readonly #freshMs: number;

  constructor(path: string, freshMs = REGISTRY_FRESH_MS) {
    this.path = path;
    this.#freshMs = freshMs;
  }

  /** `fresh`: look at the file now (logins, where a device just added by the CLI must be found). */
  read(options: { readonly fresh?: boolean } = {}): Promise<RegistrySnapshot> {
    if (options.fresh) this.#checkedAt = Number.NEGATIVE_INFINITY;
    if (performance.now() - this.#checkedAt < this.#freshMs) return Promise.resolve(this.#cached);
    if (this.#checking) return this.#checking;
    const checking = this.#check().finally(() => {
      if (this.#checking === checking) this.#checking = undefined;
    });
    this.#checking = checking;
    return checking;
  }

  async #check(): Promise<RegistrySnapshot> {
    const started = performance.now();
    const writes = this.#writes;
    const key = await this.#statKey();
    const snapshot =
      key === this.#cacheKey
        ? this.#cached
        : key === 'missing'
          ? this.#remember(key, EMPTY)
          : await this.#load();
    if (writes === this.#writes) this.#checkedAt = started;
    return snapshot;
  }

  /** Atomic replace: readers see the old file or the new one, never a half-written one. */
  async write(records: readonly DeviceRecord[]): Promise<RegistrySnapshot> {
    const text = `${JSON.stringify({ version: 1, devices: sortById(records) }, null, 2)}\n`;
    try {
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      await replaceFile(this.path, text, { durable: true });
      this.#writes += 1;
      this.#checkedAt = Number.NEGATIVE_INFINITY;
      this.#checking = undefined;
    } catch (error) {
      throw new UcapError('REGISTRY_UNAVAILABLE', `cannot write ${this.path}: ${describe(error)}`, {
        cause: error,
      });
    }
    return this.read();
  }

  async #statKey(): Promise<string> {
    try {
      const s = await stat(this.path, { bigint: true });
      return `${s.ino}:${s.size}:${s.mtimeNs}`;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return 'missing';
      throw new UcapError('REGISTRY_UNAVAILABLE', `cannot read ${this.path}: ${describe(error)}`, {
        cause: error,
      });
    }
  }

  // Stat and content come from one open file handle, so the cache key always matches the text.
  async #load(): Promise<RegistrySnapshot> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return this.#remember('missing', EMPTY);
      throw new UcapError('REGISTRY_UNAVAILABLE', `cannot read ${this.path}: ${describe(error)}`, {
        cause: error,
      });
    }
    try {
      const s = await handle.stat({ bigint: true });
      const text = await handle.readFile('utf8');
      return this.#remember(`${s.ino}:${s.size}:${s.mtimeNs}`, this.#parse(text));
    } finally {
      await handle.close();
    }
  }

  #parse(text: string): RegistrySnapshot {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw corrupt(this.path, `not valid JSON (${describe(error)})`, error);
    }
    const parsed = registryFileSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      throw corrupt(this.path, problems.slice(0, 5).join('; '));
    }
    return buildSnapshot(parsed.data.devices);
  }

  #remember(key: string, snapshot: RegistrySnapshot): RegistrySnapshot {
    this.#cacheKey = key;
    this.#cached = snapshot;
    return snapshot;
  }
}

function buildSnapshot(records: readonly DeviceRecord[]): RegistrySnapshot {
  const sorted = sortById(records).map(deepFreeze);
  const devices = sorted.map(({ secretHash: _hidden, ...device }) => Object.freeze(device));
  return Object.freeze({
    records: new Map(sorted.map((r) => [r.id, r])),
    devices: Object.freeze(devices),
    devicesById: new Map(devices.map((d) => [d.id, d])),
  });
}

function sortById<T extends { id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function deepFreeze(record: DeviceRecord): Readonly<DeviceRecord> {
  if (record.location) Object.freeze(record.location);
  if (record.meta) Object.freeze(record.meta);
  return Object.freeze(record);
}

function corrupt(path: string, problem: string, cause?: unknown): UcapError {
  return new UcapError(
    'REGISTRY_CORRUPT',
    `device registry ${path} is corrupt: ${problem}; fix or restore the file (devices in it cannot connect until then)`,
    cause === undefined ? {} : { cause },
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
