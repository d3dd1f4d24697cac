import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { deviceRegistryPath, openDeviceRegistry } from '../devices/device-registry.ts';
import type { Reading } from '../domain/reading.ts';
import { loadCityCatalog } from '../platform/city-config.ts';
import { commonFields, dataDirFields, type Env, parseConfig } from '../platform/config.ts';
import { silentLogger } from '../platform/logger.ts';
import { openStore } from '../store/open-store.ts';
import { refineStoreConfig, storeConfigSchema } from '../store/store-config.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import { CliError, type CliIo } from './cli-io.ts';
import { checkRow, columnIndex, IMPORT_COLUMNS } from './import-rows.ts';

export const IMPORT_HELP = `ucap import <file.csv>
  Loads readings from a CSV file with a header line naming the columns ${IMPORT_COLUMNS.join(',')}
  (ts: RFC 3339 with offset, or epoch milliseconds; any past date). Rows are checked with ingest's
  rules; bad rows are reported with their line number and left out. Devices not in the registry are
  registered as import-only (meta source=import; their MQTT secret is never shown). Writes to the
  store the environment names (INFLUX_URL, or the embedded store under DATA_DIR).
  Exit code: 0 all rows imported, 2 some rows refused, 1 nothing could be imported.
`;

const importConfigSchema = z
  .object({ ...storeConfigSchema.shape, ...dataDirFields, CITIES_FILE: commonFields.CITIES_FILE })
  .superRefine(refineStoreConfig);

/** Readings per store write: large batches are what makes an import fast. */
const BATCH = 20_000;
/** Bad rows printed one by one; the rest are counted. */
const MAX_LISTED = 100;
const PROGRESS_MS = 1000;

export interface ImportSummary {
  readonly imported: number;
  readonly refused: number;
  readonly registered: readonly string[];
}

export async function runImportCommand(args: readonly string[], env: Env, io: CliIo): Promise<number> {
  const [file, ...extra] = args;
  if (file === undefined || file === '--help' || extra.length > 0) {
    if (file === '--help') {
      io.stdout(IMPORT_HELP);
      return 0;
    }
    throw new CliError(`usage: ${IMPORT_HELP.split('\n')[0]}`);
  }
  const config = parseConfig(importConfigSchema, env);
  const cities = loadCityCatalog(config.CITIES_FILE);
  const registry = openDeviceRegistry(deviceRegistryPath(config.DATA_DIR));
  const store = await openStore(config, silentLogger(), {
    cities: cities.list(),
    // With InfluxDB the ingest service applies the raw retention; the embedded file is ours alone.
    applyRetention: config.INFLUX_URL === undefined,
  });
  try {
    const summary = await importCsv(file, { store, cities, registry, io });
    io.stderr(
      `imported ${summary.imported} readings, refused ${summary.refused} rows${summary.registered.length > 0 ? `, registered ${summary.registered.length} import-only devices` : ''}\n`,
    );
    if (summary.imported === 0 && summary.refused > 0) return 1;
    return summary.refused > 0 ? 2 : 0;
  } finally {
    await store.close();
  }
}

interface ImportDeps {
  readonly store: TimeSeriesStore;
  readonly cities: ReturnType<typeof loadCityCatalog>;
  readonly registry: ReturnType<typeof openDeviceRegistry>;
  readonly io: CliIo;
  readonly now?: () => number;
}

export async function importCsv(file: string, deps: ImportDeps): Promise<ImportSummary> {
  const known = new Set((await deps.registry.list()).map((d) => d.id));
  // Created right before it is iterated: lines read while awaiting something else would be lost.
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  const registered: string[] = [];
  const now = (deps.now ?? Date.now)();
  const started = Date.now();
  let lastProgress = started;
  let columns: ReturnType<typeof columnIndex> | undefined;
  let lineNumber = 0;
  let imported = 0;
  let refused = 0;
  let batch: Reading[] = [];

  // One write in flight while the next batch is parsed: parsing and the store work in parallel.
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
      deps.io.stderr(
        `${deps.io.stderrIsTty ? '\r' : ''}line ${lineNumber}: ${imported} imported (${perSecond}/s), ${refused} refused${deps.io.stderrIsTty ? '' : '\n'}`,
      );
    }
  };

  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    if (columns === undefined) {
      try {
        columns = columnIndex(line);
      } catch (error) {
        throw new CliError(`${file} line 1: ${(error as Error).message}`);
      }
      continue;
    }
    const outcome = checkRow(line.split(','), columns, deps.cities, now);
    if (outcome.ok) {
      batch.push(outcome.reading);
      if (batch.length >= BATCH) await flush();
    } else {
      refused += 1;
      if (refused <= MAX_LISTED)
        deps.io.stderr(`${file} line ${lineNumber}: ${outcome.code} ${outcome.reason}\n`);
      else if (refused === MAX_LISTED + 1) deps.io.stderr('(further refused rows are counted, not listed)\n');
    }
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
