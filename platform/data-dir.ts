import { mkdir } from 'node:fs/promises';
import { UcapError } from '../domain/errors.ts';

/**
 * Creates DATA_DIR readable by its owner only (0700): it holds the device registry (secret
 * hashes), the store and device presence. An existing directory is left as the operator made it.
 * Every file the process creates from then on (the embedded store and its WAL, which DuckDB
 * creates itself) is its owner's only: the umask is set to 077.
 */
export async function ensureDataDir(path: string): Promise<void> {
  process.umask(0o077);
  try {
    await mkdir(path, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new UcapError('CONFIG_INVALID', `DATA_DIR: cannot create ${path} (${String(error)})`, {
      cause: error,
    });
  }
}
