// aedes-persistence-level ships no types; this is the part the gateway uses.
declare module 'aedes-persistence-level' {
  import type { Level } from 'level';

  export interface LevelPersistence {
    /** Closes the database. Use the promise form: the callback form waits for an event aedes 1.x never fires. */
    destroy(): Promise<void>;
  }

  export default function aedesPersistenceLevel(db: Level<string, string>): LevelPersistence;
}
