import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { isLockConflict, lockedByProcessError, openTwiceError, storeError } from './duckdb-errors.ts';
import { createSchema, createStagingTables } from './duckdb-schema.ts';

export const IN_MEMORY = ':memory:';

export interface OpenedDatabase {
  /** Absolute file path, or ':memory:'. */
  readonly location: string;
  readonly instance: DuckDBInstance;
  /** The one connection that writes; it owns the staging tables. */
  readonly writer: DuckDBConnection;
  /** Checkpoints, disconnects and releases the file. */
  close(): Promise<void>;
}

// DuckDB's file lock is per process, so a second instance on the same file inside this process
// would not be refused by DuckDB itself and two writers would corrupt the file: refuse it here.
const openFiles = new Set<string>();

export async function openDatabase(path: string, memoryLimit?: string): Promise<OpenedDatabase> {
  if (path === IN_MEMORY) return prepare(IN_MEMORY, await createInstance(IN_MEMORY, memoryLimit), () => {});
  const location = resolve(path);
  if (openFiles.has(location)) throw openTwiceError(location);
  try {
    await mkdir(dirname(location), { recursive: true });
  } catch (error) {
    throw storeError('STORE_UNAVAILABLE', `creating the folder of ${location}`, error);
  }
  openFiles.add(location);
  const release = () => openFiles.delete(location);
  try {
    return await prepare(location, await createInstance(location, memoryLimit), release);
  } catch (error) {
    release();
    throw error;
  }
}

async function createInstance(location: string, memoryLimit: string | undefined): Promise<DuckDBInstance> {
  try {
    return await DuckDBInstance.create(
      location,
      memoryLimit === undefined ? {} : { memory_limit: memoryLimit },
    );
  } catch (error) {
    if (isLockConflict(error)) throw lockedByProcessError(location, error);
    throw storeError('STORE_UNAVAILABLE', `opening ${location}`, error);
  }
}

async function prepare(
  location: string,
  instance: DuckDBInstance,
  release: () => void,
): Promise<OpenedDatabase> {
  let writer: DuckDBConnection | undefined;
  try {
    writer = await instance.connect();
    await createSchema(writer);
    await createStagingTables(writer);
  } catch (error) {
    writer?.disconnectSync();
    instance.closeSync();
    throw storeError('STORE_UNAVAILABLE', `creating the schema in ${location}`, error);
  }
  const connected = writer;
  return {
    location,
    instance,
    writer: connected,
    async close() {
      try {
        if (location !== IN_MEMORY) await connected.run('CHECKPOINT');
      } finally {
        connected.disconnectSync();
        instance.closeSync();
        release();
      }
    },
  };
}
