import type { DeviceRegistry } from '../devices/device-registry.ts';
import type { CityCatalog } from '../domain/cities.ts';
import type { Reading } from '../domain/reading.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import type { CliIo } from './cli-io.ts';
import { createRowChecker, type ImportColumn } from './import-rows.ts';

/**
 * What `ucap import` does with rows from any file format (import-csv-rows.ts, import-parquet-rows.ts):
 * checks each with ingest's rules, reports bad rows by position, registers unknown devices as
 * import-only, and writes the good ones in large batches with one write in flight while the
 * next batch is checked, so parsing and the store work in parallel.
 */
export interface ImportRow {
  /** Where the row is in its file: a 1-based line (CSV) or row (Parquet) number. */
  readonly at: number;
  readonly fields: readonly string[];
}

export interface ImportBatch {
  /** Position of each column in the rows' fields. */
  readonly columns: Record<ImportColumn, number>;
  readonly rows: readonly ImportRow[];
}

export interface ImportSource {
  /** File name and the word for a position ('line', 'row'), for messages. */
  readonly label: string;
  readonly unit: 'line' | 'row';
  readonly batches: AsyncIterable<ImportBatch>;
}

export interface ImportSummary {
  readonly imported: number;
  readonly refused: number;
  readonly registered: readonly string[];
}

export interface ImportDeps {
  readonly store: TimeSeriesStore;
  readonly cities: CityCatalog;
  readonly registry: Pick<DeviceRegistry, 'list' | 'get' | 'add'>;
  readonly io: CliIo;
  readonly now?: () => number;
}

/**
 * Readings per store write: large batches are what makes an import fast (bench/import-bench.ts).
 * Into DuckDB, a write of whole row groups (122,880 rows each) goes straight to the file rather than
 * through its log: measured 157k readings/s at 50,000 per write, 259k at 250,000 (store writes
 * alone, loaded machine). Two batches are held at once (one written, one filling): ~60 MB.
 */
export const IMPORT_BATCH = 250_000;
/** Bad rows printed one by one; the rest are counted. */
const MAX_LISTED = 100;
const PROGRESS_MS = 1000;

export async function importReadings(source: ImportSource, deps: ImportDeps): Promise<ImportSummary> {
  const known = new Set((await deps.registry.list()).map((d) => d.id));
  const registered: string[] = [];
  const check = createRowChecker(deps.cities, (deps.now ?? Date.now)());
  const started = Date.now();
  let lastProgress = started;
  let position = 0;
  let imported = 0;
  let refused = 0;
  let batch: Reading[] = [];
  let writing: Promise<void> = Promise.resolve();

  const flush = async () => {
    if (batch.length === 0) return;
    const full = batch;
    batch = [];
    await registerNewDevices(full, known, registered, deps);
    await writing;
    writing = deps.store.writeReadings(full).then(() => {
      imported += full.length;
    });
    writing.catch(() => undefined);
    if (Date.now() - lastProgress >= PROGRESS_MS) {
      lastProgress = Date.now();
      const perSecond = Math.round(imported / ((lastProgress - started) / 1000));
      const tty = deps.io.stderrIsTty;
      deps.io.stderr(
        `${tty ? '\r' : ''}${source.unit} ${position}: ${imported} imported (${perSecond}/s), ${refused} refused${tty ? '' : '\n'}`,
      );
    }
  };

  for await (const { columns, rows } of source.batches) {
    for (const row of rows) {
      position = row.at;
      const outcome = check(row.fields, columns);
      if (outcome.ok) {
        batch.push(outcome.reading);
        continue;
      }
      refused += 1;
      if (refused <= MAX_LISTED)
        deps.io.stderr(`${source.label} ${source.unit} ${row.at}: ${outcome.code} ${outcome.reason}\n`);
      else if (refused === MAX_LISTED + 1) deps.io.stderr('(further refused rows are counted, not listed)\n');
    }
    if (batch.length >= IMPORT_BATCH) await flush();
  }
  await flush();
  await writing;
  if (deps.io.stderrIsTty && imported > 0) deps.io.stderr('\n');
  return { imported, refused, registered };
}

/** Devices the registry does not know become import-only: registered with a secret nobody sees. */
async function registerNewDevices(
  batch: readonly Reading[],
  known: Set<string>,
  registered: string[],
  deps: ImportDeps,
): Promise<void> {
  for (const reading of batch) {
    if (known.has(reading.deviceId)) continue;
    known.add(reading.deviceId);
    const existing = await deps.registry.get(reading.deviceId);
    if (existing !== undefined) continue;
    // add() returns credentials with a fresh password; they are dropped here, so no MQTT client can log in.
    await deps.registry.add({ id: reading.deviceId, city: reading.city, meta: { source: 'import' } });
    registered.push(reading.deviceId);
  }
}
