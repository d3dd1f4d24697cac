import { z } from 'zod';
import { deviceRegistryPath, openDeviceRegistry } from '../devices/device-registry.ts';
import { loadCityCatalog } from '../platform/city-config.ts';
import { commonFields, dataDirFields, type Env, parseConfig } from '../platform/config.ts';
import { silentLogger } from '../platform/logger.ts';
import { openStore } from '../store/open-store.ts';
import { refineStoreConfig, storeConfigSchema } from '../store/store-config.ts';
import { CliError, type CliIo } from './cli-io.ts';
import { csvImportSource } from './import-csv-rows.ts';
import { parquetImportSource } from './import-parquet-rows.ts';
import { type ImportSource, importReadings } from './import-readings.ts';
import { IMPORT_COLUMNS } from './import-rows.ts';

export const IMPORT_HELP = `ucap import <file.csv|file.parquet>
  Loads readings from a CSV file with a header line naming the columns ${IMPORT_COLUMNS.join(',')},
  or a Parquet file with those columns (ts: RFC 3339 with offset, or epoch milliseconds, or in
  Parquet a timestamp column; any past date). Rows are checked with ingest's rules; bad rows are
  reported with their line (CSV) or row (Parquet) number and left out. Devices not in the registry are
  registered as import-only (meta source=import; their MQTT secret is never shown). Writes to the
  store the environment names (INFLUX_URL, or the embedded store under DATA_DIR).
  Exit code: 0 all rows imported, 2 some rows refused, 1 nothing could be imported.
`;

const importConfigSchema = z
  .object({ ...storeConfigSchema.shape, ...dataDirFields, CITIES_FILE: commonFields.CITIES_FILE })
  .superRefine(refineStoreConfig);

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
    const summary = await importReadings(importSourceFor(file), { store, cities, registry, io });
    io.stderr(
      `imported ${summary.imported} readings, refused ${summary.refused} rows${summary.registered.length > 0 ? `, registered ${summary.registered.length} import-only devices` : ''}\n`,
    );
    if (summary.imported === 0 && summary.refused > 0) return 1;
    return summary.refused > 0 ? 2 : 0;
  } finally {
    await store.close();
  }
}

/** A Parquet file by its extension; anything else is read as CSV. */
export function importSourceFor(file: string): ImportSource {
  return /\.(parquet|pq)$/i.test(file) ? parquetImportSource(file) : csvImportSource(file);
}
