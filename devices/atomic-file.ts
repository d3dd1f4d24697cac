import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';

/**
 * Replaces `path` with `text` atomically (a temp file renamed over it: a new inode), readable by
 * its owner only: readers see the old file or the new one, never a half-written one. `durable`
 * syncs the data before the rename.
 */
export async function replaceFile(
  path: string,
  text: string,
  options: { durable?: boolean } = {},
): Promise<void> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text);
      if (options.durable) await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
