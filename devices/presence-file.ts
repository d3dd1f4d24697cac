import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { replaceFile } from './atomic-file.ts';
import { errorCode } from './file-lock.ts';

/** Whether a device is connected to the gateway now, and when it last connected and disconnected. */
export interface DevicePresence {
  /** Open MQTT connections; 0 when offline. */
  readonly connections: number;
  /** Epoch ms UTC, or undefined when never seen by this gateway's presence file. */
  readonly lastConnectedAt?: number | undefined;
  readonly lastDisconnectedAt?: number | undefined;
}

export interface PresenceSnapshot {
  /** False when the gateway's presence is unknown (no file, or not refreshed lately: gateway down). */
  readonly live: boolean;
  readonly devices: ReadonlyMap<string, DevicePresence>;
}

/** Where the API finds presence: the gateway in the same process, or its file in DATA_DIR. */
export interface PresenceSource {
  snapshot(): Promise<PresenceSnapshot>;
}

/** The gateway rewrites the file at least this often, so a reader can tell a dead gateway. */
export const PRESENCE_HEARTBEAT_MS = 30_000;

const presenceFileSchema = z.object({
  version: z.literal(1),
  updatedAt: z.number(),
  devices: z.record(
    z.string(),
    z.object({
      connections: z.number().int().min(0),
      lastConnectedAt: z.number().optional(),
      lastDisconnectedAt: z.number().optional(),
    }),
  ),
});

export function presencePath(dataDir: string): string {
  return join(dataDir, 'presence.json');
}

/** Atomic replace (temp file + rename), owner-only. */
export async function writePresenceFile(
  path: string,
  devices: ReadonlyMap<string, DevicePresence>,
  now: number,
): Promise<void> {
  const text = JSON.stringify({ version: 1, updatedAt: now, devices: Object.fromEntries(devices) });
  await replaceFile(path, text);
}

/** Reads the gateway's presence file (DATA_DIR/presence.json), re-parsing only when it changed. */
export function presenceFileSource(path: string, now: () => number = Date.now): PresenceSource {
  let cached: { key: string; updatedAt: number; devices: ReadonlyMap<string, DevicePresence> } | undefined;
  const unknown: PresenceSnapshot = { live: false, devices: new Map() };
  return {
    async snapshot() {
      let key: string;
      try {
        const s = await stat(path, { bigint: true });
        key = `${s.ino}:${s.size}:${s.mtimeNs}`;
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return unknown;
        throw error;
      }
      let current = cached;
      if (current?.key !== key) {
        const text = await readFile(path, 'utf8').catch(() => '');
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch {
          return unknown;
        }
        const parsed = presenceFileSchema.safeParse(raw);
        if (!parsed.success) return unknown;
        current = {
          key,
          updatedAt: parsed.data.updatedAt,
          devices: new Map(Object.entries(parsed.data.devices)),
        };
        cached = current;
      }
      const live = now() - current.updatedAt <= 3 * PRESENCE_HEARTBEAT_MS;
      return { live, devices: current.devices };
    },
  };
}
