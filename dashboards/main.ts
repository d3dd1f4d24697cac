import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { deviceRegistryPath, openDeviceRegistry } from '../devices/device-registry.ts';
import { isUcapError } from '../domain/errors.ts';
import { loadCityCatalog } from '../platform/city-config.ts';
import { commonFields, dataDirFields, parseConfig } from '../platform/config.ts';
import { stationsOf } from '../simulators/stations.ts';
import { GENERATED_DASHBOARDS_DIR, generateDashboardFiles } from './generated-files.ts';
import { registryDevices } from './registry-devices.ts';

// `npm run dashboards`: regenerates the Grafana JSON and provisioning files (committed to git).
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

async function main(): Promise<void> {
  const config = parseConfig(z.object({ ...commonFields, ...dataDirFields }));
  const catalog = loadCityCatalog(config.CITIES_FILE);
  // Map markers: the registry's devices at their registered sites (the simulated networks when a
  // city has none registered yet).
  const registry = openDeviceRegistry(deviceRegistryPath(config.DATA_DIR));
  const devicesOf = await registryDevices(registry, catalog.list(), stationsOf);
  const files = generateDashboardFiles(catalog.list(), devicesOf);
  for (const file of files) {
    const target = join(REPO_ROOT, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
  }
  // Grafana provisions every JSON file in the folder, so a dashboard that is no longer generated
  // must not linger there.
  const generatedDir = join(REPO_ROOT, GENERATED_DASHBOARDS_DIR);
  const expected = new Set(files.map((f) => join(REPO_ROOT, f.path)));
  for (const name of await readdir(generatedDir, { recursive: true })) {
    const path = join(generatedDir, name);
    if (name.endsWith('.json') && !expected.has(path)) await rm(path);
  }
  process.stdout.write(`${files.map((f) => `wrote ${f.path}`).join('\n')}\n`);
}

main().catch((error: unknown) => {
  const message = isUcapError(error) ? error.message : error instanceof Error ? error.stack : String(error);
  process.stderr.write(`dashboards: ${message}\n`);
  process.exitCode = 1;
});
