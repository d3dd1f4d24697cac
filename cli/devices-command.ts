import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Device, NewDevice } from '../devices/device.ts';
import { deviceIdSchema } from '../devices/device.ts';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import type { CityCatalog } from '../domain/cities.ts';
import { PAYLOAD_FORMATS } from '../domain/payload-format.ts';
import { supportedFormats } from '../domain/payload-formats/decoder-registry.ts';
import { CliError, type CliIo } from './cli-io.ts';
import { runImport } from './devices-import.ts';

export const DEVICES_HELP = `Usage:
  ucap devices add --city <city> --id <device-id> [--format native]
                   [--lat <deg> --lon <deg> [--site "<name>"]] [--meta key=value ...]
      Registers a device and prints its MQTT credentials as JSON on stdout:
      {"id","city","username","password"}. The password is shown only once.
  ucap devices list [--city <city>] [--json]
      Lists registered devices (never their secrets): a table, or a JSON array with --json.
  ucap devices import <devices.csv> --out <credentials.json>
      Registers many devices at once from a CSV file with the header id,city and optionally
      format,lat,lon,site. Every row is checked first: any bad row (all are listed, with line
      numbers) or an id already registered changes nothing. The credentials of all new devices
      are written as a JSON array of {"id","city","username","password"} to --out (a new file,
      mode 0600); the passwords are shown nowhere else.
  ucap devices rotate --id <device-id>
      Gives the device a new secret and prints its credentials as JSON; the old secret stops
      working at once, and the gateway closes connections made with it.
  ucap devices remove --id <device-id>
      Unregisters a device: it can no longer connect, and the gateway closes its open connections.

Environment: DATA_DIR (registry at $DATA_DIR/devices.json, default ./data), CITIES_FILE (extra cities).`;

export interface DevicesContext {
  readonly registry: DeviceRegistry;
  readonly cities: CityCatalog;
  readonly io: CliIo;
}

export async function runDevicesCommand(args: readonly string[], context: DevicesContext): Promise<void> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    context.io.stdout(`${DEVICES_HELP}\n`);
    return;
  }
  if (rest.includes('--help') || rest.includes('-h')) return context.io.stdout(`${DEVICES_HELP}\n`);
  if (subcommand === 'add') return addDevice(rest, context);
  if (subcommand === 'list') return listDevices(rest, context);
  if (subcommand === 'remove') return removeDevice(rest, context);
  if (subcommand === 'import') return importDevices(rest, context);
  if (subcommand === 'rotate') return rotateDevice(rest, context);
  throw new CliError(
    `unknown command "devices ${subcommand}"; use add, import, list, rotate or remove (see ucap devices --help)`,
  );
}

const addOptions = {
  city: { type: 'string' },
  id: { type: 'string' },
  format: { type: 'string' },
  lat: { type: 'string' },
  lon: { type: 'string' },
  site: { type: 'string' },
  meta: { type: 'string', multiple: true },
} as const;

const coordinate = (flag: string, limit: number) =>
  z.coerce
    .number({ error: `${flag} must be a number of degrees` })
    .min(-limit, `${flag} must be between -${limit} and ${limit}`)
    .max(limit, `${flag} must be between -${limit} and ${limit}`)
    .optional();

const addArgsSchema = z.object({
  city: z.string({ error: '--city is required' }).min(1, '--city is required'),
  id: z.string({ error: '--id is required' }).pipe(deviceIdSchema),
  format: z.string().default('native'),
  lat: coordinate('--lat', 90),
  lon: coordinate('--lon', 180),
  site: z.string().min(1).max(120, '--site is at most 120 characters').optional(),
  meta: z.array(z.string()).default([]),
});

/** A device from flag-like values (`devices add` flags, or a CSV row); throws CliError on the first problem. */
function parseNewDevice(values: Record<string, unknown>, cities: CityCatalog): NewDevice {
  return toNewDevice(validate(addArgsSchema, values), cities);
}

async function addDevice(args: readonly string[], { registry, cities, io }: DevicesContext): Promise<void> {
  const options = parseFlags('devices add', args, addOptions);
  const credentials = await registry.add(parseNewDevice(options, cities));
  const { id, city, username, password } = credentials;
  io.stdout(`${JSON.stringify({ id, city, username, password })}\n`);
  if (io.stderrIsTty) io.stderr('Store this password now: the registry keeps only its hash.\n');
}

function toNewDevice(input: z.infer<typeof addArgsSchema>, cities: CityCatalog): NewDevice {
  checkCity(input.city, cities);
  const format = checkFormat(input.format);
  if ((input.lat === undefined) !== (input.lon === undefined))
    throw new CliError('give both --lat and --lon, or neither');
  if (input.site !== undefined && input.lat === undefined) throw new CliError('--site needs --lat and --lon');
  const location =
    input.lat === undefined || input.lon === undefined
      ? undefined
      : { lat: input.lat, lon: input.lon, ...(input.site === undefined ? {} : { name: input.site }) };
  const meta = parseMeta(input.meta);
  return {
    id: input.id,
    city: input.city,
    format,
    ...(location === undefined ? {} : { location }),
    ...(meta === undefined ? {} : { meta }),
  };
}

function checkCity(city: string, cities: CityCatalog): void {
  if (!cities.has(city))
    throw new CliError(
      `unknown city "${city}" (known: ${cities.ids().join(', ')}; more cities come from CITIES_FILE)`,
    );
}

function checkFormat(format: string): NewDevice['format'] {
  const supported = supportedFormats();
  const known = PAYLOAD_FORMATS.find((f) => f === format);
  if (known && supported.includes(known)) return known;
  const why = known ? 'has no decoder yet' : 'is unknown';
  throw new CliError(`payload format "${format}" ${why} (supported: ${supported.join(', ')})`);
}

function parseMeta(pairs: readonly string[]): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined;
  const meta: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliError(`--meta "${pair}" must be key=value, e.g. --meta model=SDS011`);
    meta[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return meta;
}

async function listDevices(args: readonly string[], { registry, cities, io }: DevicesContext): Promise<void> {
  const options = parseFlags('devices list', args, { city: { type: 'string' }, json: { type: 'boolean' } });
  if (options.city !== undefined) checkCity(options.city, cities);
  const devices = await registry.list({ city: options.city });
  io.stdout(options.json ? `${JSON.stringify(devices, null, 2)}\n` : formatTable(devices));
}

function formatTable(devices: readonly Device[]): string {
  if (devices.length === 0) return 'no devices registered\n';
  const rows = devices.map((d) => [
    d.id,
    d.city,
    d.format,
    d.location ? `${d.location.lat},${d.location.lon}${d.location.name ? ` (${d.location.name})` : ''}` : '-',
    d.createdAt,
  ]);
  const table = [['ID', 'CITY', 'FORMAT', 'LOCATION', 'CREATED'], ...rows];
  const widths =
    table[0]?.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0))) ?? [];
  return `${table
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

async function removeDevice(args: readonly string[], { registry, io }: DevicesContext): Promise<void> {
  const options = parseFlags('devices remove', args, { id: { type: 'string' } });
  if (options.id === undefined) throw new CliError('--id is required (the device to remove)');
  await registry.remove(options.id);
  io.stdout(`removed device ${options.id}\n`);
}

async function rotateDevice(args: readonly string[], { registry, io }: DevicesContext): Promise<void> {
  const options = parseFlags('devices rotate', args, { id: { type: 'string' } });
  if (options.id === undefined) throw new CliError('--id is required (the device to give a new secret)');
  const { id, city, username, password } = await registry.rotate(options.id);
  io.stdout(`${JSON.stringify({ id, city, username, password })}\n`);
}

async function importDevices(args: readonly string[], context: DevicesContext): Promise<void> {
  const parsed = (() => {
    try {
      const options = { out: { type: 'string' } } as const;
      return parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
    } catch (error) {
      const message = error instanceof Error ? error.message.split('. ')[0] : String(error);
      throw new CliError(`devices import: ${message} (see ucap devices --help)`);
    }
  })();
  const [file, ...extra] = parsed.positionals;
  if (file === undefined || extra.length > 0)
    throw new CliError('devices import: give one CSV file (see ucap devices --help)');
  if (parsed.values.out === undefined)
    throw new CliError('devices import: --out <credentials.json> is required');
  await runImport(file, parsed.values.out, context, (values) => parseNewDevice(values, context.cities));
}

type FlagSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

function parseFlags<T extends FlagSpec>(command: string, args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('. ')[0] : String(error);
    throw new CliError(`${command}: ${message} (see ucap devices --help)`);
  }
}

function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new CliError(parsed.error.issues.map((issue) => describeIssue(issue)).join('; '));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const flag = issue.path[0];
  if (typeof flag !== 'string' || issue.message.includes(`--${flag}`)) return issue.message;
  return `--${flag}: ${issue.message}`;
}
