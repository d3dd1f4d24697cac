import { readFile } from 'node:fs/promises';
import {
  type DevicePresence,
  PRESENCE_HEARTBEAT_MS,
  type PresenceSnapshot,
  type PresenceSource,
  writePresenceFile,
} from '../devices/presence-file.ts';
import type { Logger } from '../platform/logger.ts';

/** How long after a change the presence file is rewritten (changes in between are batched). */
const WRITE_DEBOUNCE_MS = 500;

/**
 * Which devices are connected now, and when each last connected and disconnected. Read live by
 * an API in the same process; written (debounced, plus a heartbeat) to DATA_DIR/presence.json
 * for an API running as its own process.
 */
export class DevicePresenceTracker implements PresenceSource {
  readonly #devices = new Map<string, DevicePresence>();
  readonly #path: string | undefined;
  readonly #logger: Logger;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: { path?: string | undefined; logger: Logger; now?: () => number }) {
    this.#path = options.path;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  /** Loads last-seen times from a previous run (devices then count as disconnected) and starts writing. */
  async start(): Promise<void> {
    if (this.#path === undefined) return;
    try {
      const previous = JSON.parse(await readFile(this.#path, 'utf8')) as {
        updatedAt?: number;
        devices?: Record<string, DevicePresence>;
      };
      for (const [id, p] of Object.entries(previous.devices ?? {})) {
        const lastDisconnectedAt = p.connections > 0 ? previous.updatedAt : p.lastDisconnectedAt;
        this.#devices.set(id, {
          connections: 0,
          ...(p.lastConnectedAt === undefined ? {} : { lastConnectedAt: p.lastConnectedAt }),
          ...(lastDisconnectedAt === undefined ? {} : { lastDisconnectedAt }),
        });
      }
    } catch {
      // No previous file (or an unreadable one): start empty.
    }
    this.#heartbeat = setInterval(() => this.#schedule(0), PRESENCE_HEARTBEAT_MS);
    this.#heartbeat.unref();
    this.#schedule(0);
  }

  connected(deviceId: string): void {
    const p = this.#devices.get(deviceId);
    this.#devices.set(deviceId, {
      ...p,
      connections: (p?.connections ?? 0) + 1,
      lastConnectedAt: this.#now(),
    });
    this.#schedule(WRITE_DEBOUNCE_MS);
  }

  disconnected(deviceId: string): void {
    const p = this.#devices.get(deviceId);
    this.#devices.set(deviceId, {
      ...p,
      connections: Math.max(0, (p?.connections ?? 1) - 1),
      lastDisconnectedAt: this.#now(),
    });
    this.#schedule(WRITE_DEBOUNCE_MS);
  }

  async snapshot(): Promise<PresenceSnapshot> {
    return { live: !this.#closed, devices: new Map(this.#devices) };
  }

  /** Stops writing; every device is then recorded as disconnected now. */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    const now = this.#now();
    for (const [id, p] of this.#devices)
      if (p.connections > 0) this.#devices.set(id, { ...p, connections: 0, lastDisconnectedAt: now });
    this.#closed = true;
    await this.#writing;
    await this.#write();
  }

  #schedule(delayMs: number): void {
    if (this.#path === undefined || this.#closed || (this.#timer !== undefined && delayMs > 0)) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#writing = this.#writing.then(() => this.#write());
    }, delayMs);
    this.#timer.unref();
  }

  async #write(): Promise<void> {
    if (this.#path === undefined) return;
    await writePresenceFile(this.#path, this.#devices, this.#now()).catch((error: unknown) =>
      this.#logger.warn({ err: error, path: this.#path }, 'cannot write the device presence file'),
    );
  }
}
