import { mkdir } from 'node:fs/promises';
import { UcapError } from '../domain/errors.ts';

/**
 * Creates DATA_DIR readable by its owner only (0700): it holds the device registry (secret
 * hashes), the store and broker state. An existing directory is left as the operator made it.
 */
export async function ensureDataDir(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new UcapError('CONFIG_INVALID', `DATA_DIR: cannot create ${path} (${String(error)})`, {
      cause: error,
    });
  }
}
