import { open, readFile, unlink } from 'node:fs/promises';
import type { NewDevice } from '../devices/device.ts';
import type { DeviceRegistry } from '../devices/device-registry.ts';
import { CliError, type CliIo } from './cli-io.ts';
import { parseCsv } from './csv.ts';

const REQUIRED = ['id', 'city'] as const;
const OPTIONAL = ['format', 'lat', 'lon', 'site'] as const;
const COLUMNS: readonly string[] = [...REQUIRED, ...OPTIONAL];
/** Bad rows listed in full up to this many; beyond, the count. */
const MAX_LISTED = 50;

/** `ucap devices import <file.csv> --out <creds.json>`: all rows checked, then one registry write. */
export async function runImport(
  file: string,
  out: string,
  { registry, io }: { readonly registry: DeviceRegistry; readonly io: CliIo },
  /** One CSV row as a device, checked as `devices add` checks its flags (throws CliError). */
  parseDevice: (values: Record<string, unknown>) => NewDevice,
): Promise<void> {
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new CliError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  });
  const devices = parseRows(file, text, parseDevice);
  const registered = new Set((await registry.list()).map((d) => d.id));
  const taken = devices.filter(({ device }) => registered.has(device.id));
  if (taken.length > 0)
    throw badRows(
      file,
      taken.map(({ line, device }) => `line ${line}: device "${device.id}" is already registered`),
    );

  // Created before anything is registered, so an unwritable --out changes nothing either.
  const handle = await open(out, 'wx', 0o600).catch((error: unknown) => {
    const why =
      (error as { code?: string }).code === 'EEXIST'
        ? 'it already exists (choose a new file)'
        : String(error);
    throw new CliError(`cannot create --out ${out}: ${why}`);
  });
  let written = false;
  try {
    const step = Math.max(1, Math.ceil(devices.length / 10));
    const started = Date.now();
    const credentials = await registry.addMany(
      devices.map((d) => d.device),
      (done, total) => {
        if (total >= 100 && (done % step === 0 || done === total))
          io.stderr(`hashing secrets: ${done}/${total} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      },
    );
    await handle.writeFile(
      `${JSON.stringify(
        credentials.map(({ id, city, username, password }) => ({ id, city, username, password })),
        null,
        2,
      )}\n`,
    );
    await handle.sync();
    written = true;
    io.stdout(
      `registered ${credentials.length} devices; credentials in ${out} (mode 0600, shown nowhere else)\n`,
    );
  } finally {
    await handle.close();
    if (!written) await unlink(out).catch(() => undefined);
  }
}

function parseRows(
  file: string,
  text: string,
  toDevice: (values: Record<string, unknown>) => NewDevice,
): Array<{ line: number; device: NewDevice }> {
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(text);
  } catch (error) {
    throw new CliError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const [header, ...rows] = records;
  if (!header) throw new CliError(`${file} is empty: expected a header line id,city[,format,lat,lon,site]`);
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  const unknown = columns.filter((c) => !COLUMNS.includes(c));
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (unknown.length > 0 || missing.length > 0)
    throw new CliError(
      `${file} line ${header.line}: the header must name id and city, optionally ${OPTIONAL.join(', ')}` +
        (missing.length > 0 ? `; missing: ${missing.join(', ')}` : '') +
        (unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''),
    );
  if (rows.length === 0) throw new CliError(`${file} has a header but no devices`);
  const problems: string[] = [];
  const devices: Array<{ line: number; device: NewDevice }> = [];
  const firstLine = new Map<string, number>();
  for (const row of rows) {
    if (row.fields.length !== columns.length) {
      problems.push(`line ${row.line}: ${row.fields.length} fields, the header has ${columns.length}`);
      continue;
    }
    const values: Record<string, unknown> = {};
    for (const [i, column] of columns.entries()) {
      const value = row.fields[i]?.trim() ?? '';
      if (value !== '') values[column] = value;
    }
    try {
      const device = toDevice(values);
      const earlier = firstLine.get(device.id);
      if (earlier !== undefined) {
        problems.push(`line ${row.line}: device "${device.id}" is already on line ${earlier}`);
        continue;
      }
      firstLine.set(device.id, row.line);
      devices.push({ line: row.line, device });
    } catch (error) {
      problems.push(`line ${row.line}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (problems.length > 0) throw badRows(file, problems);
  return devices;
}

function badRows(file: string, problems: readonly string[]): CliError {
  const listed = problems.slice(0, MAX_LISTED).map((p) => `  ${p}`);
  const more = problems.length > MAX_LISTED ? [`  ... and ${problems.length - MAX_LISTED} more`] : [];
  return new CliError(
    `${file}: ${problems.length} bad row(s); nothing was registered:\n${[...listed, ...more].join('\n')}`,
  );
}
