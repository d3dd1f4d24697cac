import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../platform/logger.ts';
import { createDuckDbStore } from '../store/duckdb/duckdb-store.ts';
import { createInfluxStore } from '../store/influxdb/influx-store.ts';
import { EMBEDDED_STORE_FILE } from '../store/store-config.ts';
import type { TimeSeriesStore } from '../store/time-series-store.ts';
import { type RunningInfluxd, startInfluxd } from '../tests/setup/influxd.ts';
import type { StoreKind } from './bench-figures.ts';

/**
 * What benchmarks share: one temp dir and, started on first use, one influxd (Debian's InfluxDB
 * 1.6 on a free loopback port, with its data in its own temp dir). close() releases both.
 */
export interface BenchResources {
  tempDir(): Promise<string>;
  influxUrl(): Promise<string>;
  /** The influxd's process id, once started (undefined before). */
  influxdPid(): Promise<number | undefined>;
  /** A fresh, empty store: a new DuckDB file or a new InfluxDB database named after `name`. */
  openStore(kind: StoreKind, name: string): Promise<TimeSeriesStore>;
  /** What a service process (e.g. `api/main.ts`) is given to open the store openStore(kind, name) made. */
  storeEnv(kind: StoreKind, name: string): Promise<NodeJS.ProcessEnv>;
  close(): Promise<void>;
}

export function createBenchResources(): BenchResources {
  let dir: Promise<string> | undefined;
  let influxd: Promise<RunningInfluxd> | undefined;
  const tempDir = () => {
    dir ??= mkdtemp(join(tmpdir(), 'ucap-bench-'));
    return dir;
  };
  // A DuckDB store's folder is laid out as a service's DATA_DIR, so a service can open it.
  const dataDir = async (name: string) => join(await tempDir(), name);
  const database = (name: string) => `bench_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const influxUrl = async () => {
    influxd ??= startInfluxd();
    return (await influxd).url;
  };
  return {
    tempDir,
    influxUrl,
    influxdPid: async () => (await influxd)?.pid,
    async openStore(kind, name) {
      if (kind === 'duckdb') {
        return createDuckDbStore({
          path: join(await dataDir(name), EMBEDDED_STORE_FILE),
          logger: silentLogger(),
        });
      }
      return createInfluxStore({
        api: 'v1',
        url: await influxUrl(),
        database: database(name),
        logger: silentLogger(),
      });
    },
    async storeEnv(kind, name) {
      return kind === 'duckdb'
        ? { DATA_DIR: await dataDir(name), INFLUX_URL: '' }
        : { DATA_DIR: await dataDir(name), INFLUX_URL: await influxUrl(), INFLUX_DB: database(name) };
    },
    async close() {
      const started = influxd;
      influxd = undefined;
      if (started !== undefined) await (await started.catch(() => undefined))?.stop();
      const made = dir;
      dir = undefined;
      if (made !== undefined) await rm(await made, { recursive: true, force: true });
    },
  };
}
