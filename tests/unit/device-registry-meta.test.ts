import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { deviceRegistryPath, openDeviceRegistry } from '../../devices/device-registry.ts';
import { isUcapError } from '../../domain/errors.ts';

let path: string;
const dirs: string[] = [];
beforeEach(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ucap-registry-meta-'));
  dirs.push(dir);
  path = deviceRegistryPath(dir);
});
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('device registry updateMeta', () => {
  it('merges keys into the device meta, keeping the others and the secret', async () => {
    const registry = openDeviceRegistry(path);
    const { password } = await registry.add({
      id: 'sc-1',
      city: 'nice',
      format: 'airrohr',
      meta: { model: 'SDS011', firmware: 'NRZ-2020-129' },
    });
    const updated = await registry.updateMeta('sc-1', { firmware: 'NRZ-2024-135', chip_id: '42' });
    expect(updated?.meta).toEqual({ model: 'SDS011', firmware: 'NRZ-2024-135', chip_id: '42' });
    // A second registry on the same file (another process) sees it.
    const other = openDeviceRegistry(path);
    expect((await other.get('sc-1'))?.meta).toEqual(updated?.meta);
    expect((await other.authenticate('sc-1', password))?.format).toBe('airrohr');
  });

  it('does not rewrite the file when nothing changes', async () => {
    const registry = openDeviceRegistry(path);
    await registry.add({ id: 'sc-2', city: 'nice', meta: { firmware: 'A' } });
    const before = await stat(path, { bigint: true });
    expect((await registry.updateMeta('sc-2', { firmware: 'A' }))?.meta).toEqual({ firmware: 'A' });
    const after = await stat(path, { bigint: true });
    expect([after.ino, after.mtimeNs]).toEqual([before.ino, before.mtimeNs]);
  });

  it('answers undefined for an unregistered device and refuses values the schema does not allow', async () => {
    const registry = openDeviceRegistry(path);
    expect(await registry.updateMeta('ghost', { firmware: 'A' })).toBeUndefined();
    await registry.add({ id: 'sc-3', city: 'nice' });
    const error = await registry.updateMeta('sc-3', { firmware: 'x'.repeat(500) }).catch((e: unknown) => e);
    expect(isUcapError(error) && error.code).toBe('DEVICE_INVALID');
    expect((await registry.get('sc-3'))?.meta).toBeUndefined();
  });
});
