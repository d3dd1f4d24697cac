import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceRegistryPath, openDeviceRegistry } from '../../devices/device-registry.ts';
import { runProcess } from './gateway-fixture.ts';

const root = resolve(import.meta.dirname, '../..');
let dataDir: string;

/** The real CLI, as `npx ucap` runs it (bin/ucap.js), in a temp DATA_DIR. */
function ucap(...args: string[]) {
  return runProcess(process.execPath, [join(root, 'bin/ucap.js'), ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, CITIES_FILE: '' },
    timeoutMs: 20_000,
  });
}

/** Errors are one line on stderr, exit code 1, nothing on stdout. */
async function expectFailure(args: string[], pattern: RegExp): Promise<void> {
  const result = await ucap(...args);
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ucap-cli-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('ucap devices (spawned CLI)', () => {
  it('add prints exactly id, city, username and password, and the password works', async () => {
    const result = await ucap(
      ...['devices', 'add', '--city', 'nice', '--id', 'nice-demo-1', '--format', 'native'],
      ...[
        '--lat',
        '43.7',
        '--lon',
        '7.28',
        '--site',
        'Nice Arson',
        '--meta',
        'model=SDS011',
        '--meta',
        'fw=1.2',
      ],
    );
    expect(result.code, result.stderr).toBe(0);
    const creds = JSON.parse(result.stdout) as Record<string, string>;
    expect(Object.keys(creds)).toEqual(['id', 'city', 'username', 'password']);
    expect(creds).toMatchObject({ id: 'nice-demo-1', city: 'nice', username: 'nice-demo-1' });

    const registry = openDeviceRegistry(deviceRegistryPath(dataDir));
    expect(await registry.authenticate('nice-demo-1', creds.password ?? '')).toMatchObject({
      location: { lat: 43.7, lon: 7.28, name: 'Nice Arson' },
      meta: { model: 'SDS011', fw: '1.2' },
    });
    expect(await readFile(deviceRegistryPath(dataDir), 'utf8')).not.toContain(creds.password);
  });

  it('list shows devices as a table or JSON, filtered by city, never with secrets', async () => {
    expect((await ucap('devices', 'add', '--city', 'zhengzhou', '--id', 'zz-1')).code).toBe(0);
    const table = await ucap('devices', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+CITY\s+FORMAT\s+LOCATION\s+CREATED\n/);
    expect(table.stdout).toMatch(/nice-demo-1\s+nice\s+native\s+43\.7,7\.28 \(Nice Arson\)/);
    expect(table.stdout).toMatch(/zz-1\s+zhengzhou/);

    const json = await ucap('devices', 'list', '--city', 'zhengzhou', '--json');
    const devices = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(devices.map((d) => d.id)).toEqual(['zz-1']);
    expect(json.stdout).not.toMatch(/secret|password|scrypt/i);
  });

  it('remove unregisters a device', async () => {
    expect((await ucap('devices', 'add', '--city', 'nice', '--id', 'temp-1')).code).toBe(0);
    const removed = await ucap('devices', 'remove', '--id', 'temp-1');
    expect(removed).toMatchObject({ code: 0, stdout: 'removed device temp-1\n' });
    const ids = (JSON.parse((await ucap('devices', 'list', '--json')).stdout) as Array<{ id: string }>).map(
      (d) => d.id,
    );
    expect(ids).not.toContain('temp-1');
    await expectFailure(['devices', 'remove', '--id', 'temp-1'], /no device "temp-1" is registered/);
  });

  it('rejects a mistake with one line on stderr and exit code 1', async () => {
    await expectFailure(
      ['devices', 'add', '--city', 'paris', '--id', 'p-1'],
      /unknown city "paris" \(known: nice, zhengzhou/,
    );
  });

  it('prints help with --help (exit 0) and without arguments (exit 1)', async () => {
    const help = await ucap('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('ucap devices add --city <city> --id <device-id>');
    expect((await ucap('devices', 'add', '--help')).stdout).toContain('--meta key=value');
    const bare = await ucap();
    expect(bare.code).toBe(1);
    expect(bare.stderr).toContain('Usage: ucap <command>');
  });

  it('names the file when the registry is corrupt', async () => {
    const other = await mkdtemp(join(tmpdir(), 'ucap-cli-corrupt-'));
    await writeFile(deviceRegistryPath(other), '{"version": 1, "devices": [');
    const result = await runProcess(process.execPath, [join(root, 'bin/ucap.js'), 'devices', 'list'], {
      env: { ...process.env, DATA_DIR: other },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`device registry ${deviceRegistryPath(other)} is corrupt`);
    await rm(other, { recursive: true, force: true });
  });
});
