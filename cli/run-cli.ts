import { z } from 'zod';
import { deviceRegistryPath, openDeviceRegistry } from '../devices/device-registry.ts';
import { isUcapError } from '../domain/errors.ts';
import { loadCityCatalog } from '../platform/city-config.ts';
import { commonFields, dataDirFields, type Env, parseConfig } from '../platform/config.ts';
import { CliError, type CliIo } from './cli-io.ts';
import { DEVICES_HELP, runDevicesCommand } from './devices-command.ts';
import { runImportCommand } from './import-command.ts';

export const HELP = `ucap: provisioning for ucap-monitor

Usage: ucap <command> [options]

Commands:
  devices add      Register a device and print its MQTT credentials (JSON)
  devices import   Register many devices from a CSV file; credentials to a 0600 JSON file
  devices list     List registered devices (no secrets)
  devices rotate   Give a device a new secret (the old one stops working)
  devices remove   Unregister a device
  import <file>    Load readings from a CSV file (see: ucap import --help)

${DEVICES_HELP}
`;

const cliConfigSchema = z.object({ ...dataDirFields, CITIES_FILE: commonFields.CITIES_FILE });

/** Runs one CLI invocation; returns the process exit code. */
export async function runCli(argv: readonly string[], env: Env, io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    (command === undefined ? io.stderr : io.stdout)(HELP);
    return command === undefined ? 1 : 0;
  }
  try {
    if (command === 'import') return await runImportCommand(rest, env, io);
    if (command !== 'devices') throw new CliError(`unknown command "${command}"; try: ucap devices --help`);
    const config = parseConfig(cliConfigSchema, env);
    const cities = loadCityCatalog(config.CITIES_FILE);
    const registry = openDeviceRegistry(deviceRegistryPath(config.DATA_DIR));
    await runDevicesCommand(rest, { registry, cities, io });
    return 0;
  } catch (error) {
    io.stderr(`ucap: ${describe(error)}\n`);
    return 1;
  }
}

function describe(error: unknown): string {
  if (error instanceof CliError) return error.message;
  // Config problems come as several indented lines; the CLI keeps to one.
  if (isUcapError(error)) return error.message.replace(/:\n\s+/, ': ').replace(/\n\s+/g, '; ');
  return error instanceof Error ? error.message : String(error);
}
