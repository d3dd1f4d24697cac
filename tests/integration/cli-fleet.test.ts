import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceRegistryPath, openDeviceRegistry } from '../../devices/device-registry.ts';
import { mosquittoPub, runProcess, startTestGateway, type TestGateway } from './gateway-fixture.ts';

// Issue 8 "fleet provisioning": `ucap devices import` and `ucap devices rotate`, as spawned processes.
const root = resolve(import.meta.dirname, '../..');
let base: string;
let dataDir: string;
let gw: TestGateway;

function ucap(...args: string[]) {
  return runProcess(process.execPath, [join(root, 'bin/ucap.js'), ...args], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, CITIES_FILE: '' },
    timeoutMs: 60_000,
  });
}

interface Creds {
  id: string;
  city: string;
  username: string;
  password: string;
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'ucap-fleet-'));
  // Not created yet: the CLI creates it, owner-only.
  dataDir = join(base, 'data');
  gw = await startTestGateway({ dataDir });
});
afterAll(async () => {
  await gw.close();
  await rm(base, { recursive: true, force: true });
});

describe('ucap devices import', () => {
  it('reports every bad row with its line number and changes nothing', async () => {
    const csv = [
      'id,city,format,lat,lon,site',
      'ok-1,nice,native,43.7,7.2,"Promenade, west"',
      'bad id!,nice,,,,',
      'ok-2,atlantis,,,,',
      'ok-3,nice,,95,7,',
      'ok-1,nice,,,,',
      'ok-4,zhengzhou,morse,,,',
    ].join('\n');
    const file = join(base, 'bad.csv');
    await writeFile(file, csv);
    const out = join(base, 'bad-creds.json');
    const result = await ucap('devices', 'import', file, '--out', out);
    expect(result.code).toBe(1);
    for (const line of [3, 4, 5, 6, 7]) expect(result.stderr).toContain(`line ${line}:`);
    expect(result.stderr).not.toContain('line 2:');
    expect(result.stderr).toMatch(/5 bad row/);
    expect(await openDeviceRegistry(deviceRegistryPath(dataDir)).list()).toEqual([]);
    await expect(stat(out)).rejects.toThrow();
  });

  it('registers 300 devices in one go, writes their credentials 0600, and each works on the gateway', async () => {
    const rows = Array.from({ length: 300 }, (_, i) =>
      i % 2 ? `zz-${i},zhengzhou,,34.7,113.6,"Site ${i}"` : `nice-${i},nice,native,,,`,
    );
    const file = join(base, 'fleet.csv');
    await writeFile(file, `id,city,format,lat,lon,site\r\n${rows.join('\r\n')}\r\n`);
    const out = join(base, 'fleet-creds.json');
    const result = await ucap('devices', 'import', file, '--out', out);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/hashing secrets: 300\/300/);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await stat(deviceRegistryPath(dataDir))).mode & 0o777).toBe(0o600);
    const creds = JSON.parse(await readFile(out, 'utf8')) as Creds[];
    expect(creds).toHaveLength(300);
    expect(Object.keys(creds[0] ?? {}).sort()).toEqual(['city', 'id', 'password', 'username']);
    const devices = await openDeviceRegistry(deviceRegistryPath(dataDir)).list();
    expect(devices).toHaveLength(300);
    expect(devices.find((d) => d.id === 'zz-1')?.location).toEqual({ lat: 34.7, lon: 113.6, name: 'Site 1' });
    for (const c of [creds[0], creds[1], creds[299]]) {
      if (!c) throw new Error('missing credentials');
      const pub = await mosquittoPub(
        gw.port,
        c.username,
        c.password,
        `ucap/${c.city}/${c.id}/readings`,
        '{}',
        1,
      );
      expect(pub.code, pub.stderr).toBe(0);
    }
    // Importing the same ids again is refused as a whole.
    const again = await ucap('devices', 'import', file, '--out', join(base, 'again.json'));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/line 2: device "nice-0" is already registered/);
  });
});

describe('ucap devices rotate', () => {
  it('prints new credentials; the old secret stops working at once, also for an open connection', async () => {
    const added = await ucap('devices', 'add', '--city', 'nice', '--id', 'rotating');
    const old = JSON.parse(added.stdout) as Creds;
    const open = await connectAsync(gw.url, { protocolVersion: 4, reconnectPeriod: 0, ...old });
    open.on('error', () => undefined);
    const closed = new Promise<void>((done) => open.once('close', () => done()));
    const rotated = await ucap('devices', 'rotate', '--id', 'rotating');
    expect(rotated.code, rotated.stderr).toBe(0);
    const fresh = JSON.parse(rotated.stdout) as Creds;
    expect(fresh).toMatchObject({ id: 'rotating', city: 'nice', username: 'rotating' });
    expect(fresh.password).not.toBe(old.password);
    await closed;
    const refused = await mosquittoPub(
      gw.port,
      old.username,
      old.password,
      'ucap/nice/rotating/readings',
      '{}',
      1,
    );
    expect(refused.code).not.toBe(0);
    const accepted = await mosquittoPub(
      gw.port,
      fresh.username,
      fresh.password,
      'ucap/nice/rotating/readings',
      '{}',
      1,
    );
    expect(accepted.code, accepted.stderr).toBe(0);
    const missing = await ucap('devices', 'rotate', '--id', 'no-such');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no device "no-such"/);
  });
});
