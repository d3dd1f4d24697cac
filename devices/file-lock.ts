import { randomUUID } from 'node:crypto';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { UcapError } from '../domain/errors.ts';

export interface FileLockOptions {
  /**
   * A lock older than this is taken over. Holders keep it only for one read-modify-write
   * (milliseconds), so an old lock means its holder died, possibly in another container that
   * shares the data volume, where its pid cannot be checked.
   */
  readonly staleMs?: number;
  /** Give up (retryable error) after waiting this long. */
  readonly timeoutMs?: number;
}

const lockContentSchema = z.object({ pid: z.number(), host: z.string(), token: z.string() });

/**
 * Runs `work` while holding an exclusive lock file (created with O_EXCL), so separate processes
 * (CLI, simulators, gateway) never interleave their read-modify-write of the same file.
 */
export async function withFileLock<T>(
  lockPath: string,
  work: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const token = await acquire(lockPath, options.staleMs ?? 10_000, options.timeoutMs ?? 30_000);
  try {
    return await work();
  } finally {
    await release(lockPath, token);
  }
}

async function acquire(lockPath: string, staleMs: number, timeoutMs: number): Promise<string> {
  const token = randomUUID();
  const content = JSON.stringify({ pid: process.pid, host: hostname(), token, at: new Date().toISOString() });
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(content);
      } finally {
        await handle.close();
      }
      return token;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw unavailable(lockPath, error);
    }
    if (await takeOverIfStale(lockPath, staleMs)) continue;
    if (Date.now() > deadline)
      throw new UcapError('REGISTRY_UNAVAILABLE', `${lockPath} has been locked for over ${timeoutMs} ms`, {
        retryable: true,
      });
    await delay(Math.min(50, 2 + attempt * 2) * (0.5 + Math.random()));
  }
}

/** Removes the lock if its holder is gone; true when the caller should try again at once. */
async function takeOverIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  let text: string;
  let mtimeMs: number;
  try {
    [text, { mtimeMs }] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return true;
    throw unavailable(lockPath, error);
  }
  const holder = parseHolder(text);
  const holderDead = holder !== undefined && holder.host === hostname() && !isAlive(holder.pid);
  if (!holderDead && Date.now() - mtimeMs < staleMs) return false;
  // Re-read just before removing, so a lock that changed hands meanwhile is left alone.
  const again = await readFile(lockPath, 'utf8').catch(() => undefined);
  if (again !== text) return true;
  await unlink(lockPath).catch((error: unknown) => {
    if (errorCode(error) !== 'ENOENT') throw unavailable(lockPath, error);
  });
  return true;
}

async function release(lockPath: string, token: string): Promise<void> {
  const text = await readFile(lockPath, 'utf8').catch(() => undefined);
  // Only remove our own lock: if it was taken over as stale, it now belongs to someone else.
  if (text === undefined || parseHolder(text)?.token !== token) return;
  await unlink(lockPath).catch(() => undefined);
}

function parseHolder(text: string): z.infer<typeof lockContentSchema> | undefined {
  try {
    const parsed = lockContentSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

function unavailable(path: string, cause: unknown): UcapError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new UcapError('REGISTRY_UNAVAILABLE', `cannot lock ${path}: ${reason}`, { cause });
}
