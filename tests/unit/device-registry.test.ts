import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { deviceRegistryPath, openDeviceRegistry } from '../../devices/device-registry.ts';
import { REGISTRY_FRESH_MS } from '../../devices/registry-file.ts';
import { isUcapError } from '../../domain/errors.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
let dir: string;
let path: string;
const dirs: string[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ucap-registry-'));
  dirs.push(dir);
  path = deviceRegistryPath(dir);
});
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function expectCode(promise: Promise<unknown>, code: string): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isUcapError(error) ? error.code : error).toBe(code);
  return (error as Error).message;
}

describe('device registry', () => {
  it('stores the file as <dataDir>/devices.json', () => {
    expect(deviceRegistryPath('/var/ucap')).toBe('/var/ucap/devices.json');
  });

  it('returns credentials once and authenticates only the right password', async () => {
    const registry = openDeviceRegistry(path);
    const creds = await registry.add({ id: 'nice-demo-1', city: 'nice', location: { lat: 43.7, lon: 7.28 } });
    expect(Object.keys(creds).sort()).toEqual(['city', 'id', 'password', 'username']);
    expect(creds).toMatchObject({ id: 'nice-demo-1', city: 'nice', username: 'nice-demo-1' });
    expect(creds.password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(creds.password, 'base64url')).toHaveLength(32);

    const device = await registry.authenticate('nice-demo-1', creds.password);
    expect(device).toMatchObject({ id: 'nice-demo-1', city: 'nice', format: 'native' });
    expect(device).not.toHaveProperty('secretHash');
    expect(await registry.authenticate('nice-demo-1', `${creds.password}x`)).toBeUndefined();
    expect(await registry.authenticate('nice-demo-1', '')).toBeUndefined();
    expect(await registry.authenticate('nobody', creds.password)).toBeUndefined();
  });

  it('creates the data directory on first write', async () => {
    const registry = openDeviceRegistry(deviceRegistryPath(join(dir, 'new', 'data')));
    expect(await registry.list()).toEqual([]);
    await registry.add({ id: 'first', city: 'nice' });
    expect((await registry.list()).map((d) => d.id)).toEqual(['first']);
  });

  it('keeps only a salted scrypt hash on disk, readable by its owner only', async () => {
    const registry = openDeviceRegistry(path);
    const a = await registry.add({ id: 'a', city: 'nice' });
    const b = await registry.add({ id: 'b', city: 'nice' });
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(a.password);
    expect(text).not.toContain(b.password);
    const hashes = (JSON.parse(text) as { devices: { secretHash: string }[] }).devices.map(
      (d) => d.secretHash,
    );
    for (const hash of hashes) expect(hash).toMatch(/^scrypt\$4096\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(hashes[0]?.split('$')[4]).not.toBe(hashes[1]?.split('$')[4]);
    expect((await stat(path)).mode & 0o077).toBe(0);
  });

  it('lists devices sorted by id, filtered by city, without secrets', async () => {
    const registry = openDeviceRegistry(path);
    await registry.add({ id: 'zz-1', city: 'zhengzhou', meta: { model: 'SDS011' } });
    await registry.add({ id: 'nice-2', city: 'nice' });
    await registry.add({ id: 'nice-1', city: 'nice' });
    expect((await registry.list()).map((d) => d.id)).toEqual(['nice-1', 'nice-2', 'zz-1']);
    expect((await registry.list({ city: 'nice' })).map((d) => d.id)).toEqual(['nice-1', 'nice-2']);
    expect(JSON.stringify(await registry.list())).not.toContain('secretHash');
    expect(await registry.get('zz-1')).toMatchObject({ city: 'zhengzhou', meta: { model: 'SDS011' } });
    expect(await registry.get('missing')).toBeUndefined();
    expect(await openDeviceRegistry(join(dir, 'none.json')).list()).toEqual([]);
  });

  it('refuses duplicate ids and invalid registrations', async () => {
    const registry = openDeviceRegistry(path);
    await registry.add({ id: 'dup', city: 'nice' });
    await expectCode(registry.add({ id: 'dup', city: 'zhengzhou' }), 'DEVICE_EXISTS');
    await expectCode(registry.add({ id: 'bad/id', city: 'nice' }), 'DEVICE_INVALID');
    await expectCode(registry.add({ id: 'ok', city: 'Nice City' }), 'DEVICE_INVALID');
    const message = await expectCode(
      registry.add({ id: 'ok', city: 'nice', location: { lat: 123, lon: 0 } }),
      'DEVICE_INVALID',
    );
    expect(message).toContain('location.lat');
    expect((await registry.list()).map((d) => d.id)).toEqual(['dup']);
  });

  it('ensure creates, then rotates the secret keeping createdAt; another city is refused', async () => {
    const registry = openDeviceRegistry(path);
    const first = await registry.ensure({ id: 'sim-1', city: 'nice' });
    const createdAt = (await registry.get('sim-1'))?.createdAt;
    expect(await registry.authenticate('sim-1', first.password)).toBeDefined();

    const second = await registry.ensure({ id: 'sim-1', city: 'nice', meta: { firmware: '2' } });
    expect(second.password).not.toBe(first.password);
    // The first password was verified (and cached) above; rotation must still invalidate it.
    expect(await registry.authenticate('sim-1', first.password)).toBeUndefined();
    expect(await registry.authenticate('sim-1', second.password)).toMatchObject({ meta: { firmware: '2' } });
    expect((await registry.get('sim-1'))?.createdAt).toBe(createdAt);

    await expectCode(registry.ensure({ id: 'sim-1', city: 'zhengzhou' }), 'DEVICE_EXISTS');
    expect(await registry.list()).toHaveLength(1);
  });

  it('remove deletes the device and its access; unknown ids are DEVICE_NOT_FOUND', async () => {
    const registry = openDeviceRegistry(path);
    const creds = await registry.add({ id: 'gone', city: 'nice' });
    expect(await registry.authenticate('gone', creds.password)).toBeDefined();
    await registry.remove('gone');
    expect(await registry.get('gone')).toBeUndefined();
    expect(await registry.authenticate('gone', creds.password)).toBeUndefined();
    await expectCode(registry.remove('gone'), 'DEVICE_NOT_FOUND');
  });

  it('reports a corrupt file as REGISTRY_CORRUPT naming the file, and does not overwrite it', async () => {
    await writeFile(path, '{"version": 1, "devices": [');
    const registry = openDeviceRegistry(path);
    expect(await expectCode(registry.list(), 'REGISTRY_CORRUPT')).toContain(path);
    await expectCode(registry.add({ id: 'x', city: 'nice' }), 'REGISTRY_CORRUPT');
    expect(await readFile(path, 'utf8')).toBe('{"version": 1, "devices": [');

    await writeFile(path, JSON.stringify({ version: 1, devices: [{ id: 'x', city: 'nice' }] }));
    const message = await expectCode(registry.get('x'), 'REGISTRY_CORRUPT');
    expect(message).toContain(path);
    expect(message).toContain('devices.0.secretHash');
  });

  it('sees changes made through another handle (another process) once its last check is REGISTRY_FRESH_MS old', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const gateway = openDeviceRegistry(path);
      const cli = openDeviceRegistry(path);
      expect(await gateway.list()).toEqual([]);
      await cli.add({ id: 'late', city: 'nice' });
      // Still within the window: the gateway answers from the snapshot it checked (no stat per message).
      expect(await gateway.get('late')).toBeUndefined();
      vi.advanceTimersByTime(REGISTRY_FRESH_MS);
      expect(await gateway.get('late')).toBeDefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it('with freshMs 0 sees changes made through another handle at the next read', async () => {
    const gateway = openDeviceRegistry(path, { freshMs: 0 });
    const cli = openDeviceRegistry(path);
    expect(await gateway.list()).toEqual([]);
    const creds = await cli.add({ id: 'late', city: 'nice' });
    expect(await gateway.authenticate('late', creds.password)).toBeDefined();
    await cli.remove('late');
    expect(await gateway.get('late')).toBeUndefined();
  });

  it('keeps every device when two processes and this one add at the same time', async () => {
    const script = (prefix: string) => `
      import { openDeviceRegistry } from ${JSON.stringify(join(root, 'devices/device-registry.ts'))};
      const registry = openDeviceRegistry(${JSON.stringify(path)});
      await Promise.all(Array.from({ length: 12 }, (_, i) => registry.add({ id: '${prefix}-' + i, city: 'nice' })));
    `;
    const child = (prefix: string) =>
      run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(prefix)], { cwd: root });
    const local = openDeviceRegistry(path);
    await Promise.all([
      child('p1'),
      child('p2'),
      ...Array.from({ length: 6 }, (_, i) => local.ensure({ id: `local-${i}`, city: 'zhengzhou' })),
    ]);
    const ids = (await local.list()).map((d) => d.id);
    expect(ids).toHaveLength(30);
    expect(ids.filter((id) => id.startsWith('p1-'))).toHaveLength(12);
    expect(ids.filter((id) => id.startsWith('p2-'))).toHaveLength(12);
    await expect(stat(`${path}.lock`)).rejects.toThrow(/ENOENT/);
  }, 30_000);

  it('takes over a lock left by a process that died', async () => {
    const dead = await run(process.execPath, ['-e', 'console.log(process.pid)']);
    const pid = Number(dead.stdout.trim());
    await writeFile(`${path}.lock`, JSON.stringify({ pid, host: hostname(), token: 'left-behind' }));
    const registry = openDeviceRegistry(path);
    await registry.add({ id: 'after-crash', city: 'nice' });
    expect(await registry.get('after-crash')).toBeDefined();
  });

  it('waits for a live holder instead of breaking its lock', async () => {
    await writeFile(`${path}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), token: 'held' }));
    const registry = openDeviceRegistry(path);
    let done = false;
    const adding = registry.add({ id: 'waiter', city: 'nice' }).then(() => {
      done = true;
    });
    await delay(300);
    expect(done).toBe(false);
    await rm(`${path}.lock`);
    await adding;
    expect(await registry.get('waiter')).toBeDefined();
  });

  it('checks secrets off the event loop', async () => {
    const registry = openDeviceRegistry(path);
    const creds = await registry.add({ id: 'async', city: 'nice' });
    const other = openDeviceRegistry(path); // cold verification cache
    const winner = await Promise.race([
      other.authenticate('async', creds.password).then(() => 'scrypt'),
      delay(1).then(() => 'timer'),
    ]);
    expect(winner).toBe('timer');
  });
});
