import { mkdir } from 'node:fs/promises';
import aedesPersistenceLevel, { type LevelPersistence } from 'aedes-persistence-level';
import { Level } from 'level';
import { UcapError } from '../domain/errors.ts';

/**
 * Where the broker keeps sessions, subscriptions and queued QoS 1 messages: `'memory'` loses them
 * when the process stops; `{ dir }` keeps them in a LevelDB directory, so messages queued for an
 * offline persistent session (ingest) survive a crash or restart of the gateway.
 */
export type BrokerPersistenceOption = 'memory' | { readonly dir: string };

export interface BrokerPersistence {
  /** What to pass as aedes' `persistence`; undefined lets aedes use its in-memory default. */
  readonly aedes: LevelPersistence | undefined;
  close(): Promise<void>;
}

export async function openBrokerPersistence(option: BrokerPersistenceOption): Promise<BrokerPersistence> {
  if (option === 'memory') return { aedes: undefined, close: async () => {} };
  const db = new Level<string, string>(option.dir);
  try {
    await mkdir(option.dir, { recursive: true });
    await db.open();
  } catch (error) {
    throw new UcapError(
      'BROKER_STATE_UNAVAILABLE',
      `cannot open the broker state in ${option.dir} (${describe(error)}); stop the other gateway using this DATA_DIR, fix the directory's permissions, or set GATEWAY_PERSISTENCE=memory`,
      { cause: error },
    );
  }
  const persistence = aedesPersistenceLevel(db);
  return { aedes: persistence, close: () => persistence.destroy() };
}

function describe(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}
