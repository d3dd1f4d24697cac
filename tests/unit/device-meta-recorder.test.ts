import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type DeviceRegistry,
  deviceRegistryPath,
  openDeviceRegistry,
} from '../../devices/device-registry.ts';
import { createDeviceMetaRecorder } from '../../ingest/device-meta-recorder.ts';
import { silentLogger } from '../../platform/logger.ts';

const dirs: string[] = [];
let registry: DeviceRegistry;
let calls: { get: number; updateMeta: number };
// The real registry on a temp file, with its reads and writes counted.
let counted: Pick<DeviceRegistry, 'get' | 'updateMeta'>;

beforeEach(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ucap-meta-recorder-'));
  dirs.push(dir);
  registry = openDeviceRegistry(deviceRegistryPath(dir));
  calls = { get: 0, updateMeta: 0 };
  counted = {
    get: (id) => {
      calls.get += 1;
      return registry.get(id);
    },
    updateMeta: (id, meta) => {
      calls.updateMeta += 1;
      return registry.updateMeta(id, meta);
    },
  };
});
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('device metadata recorder', () => {
  it('writes the registry once for a burst of messages reporting the same new firmware', async () => {
    await registry.add({ id: 'sc-1', city: 'nice', format: 'airrohr', meta: { model: 'SDS011' } });
    const recorder = createDeviceMetaRecorder(counted, silentLogger());
    for (let i = 0; i < 50; i += 1) recorder.record('sc-1', { firmware: 'NRZ-2024-135', chip_id: '42' });
    await recorder.idle();
    expect((await registry.get('sc-1'))?.meta).toEqual({
      model: 'SDS011',
      firmware: 'NRZ-2024-135',
      chip_id: '42',
    });
    expect(calls).toEqual({ get: 1, updateMeta: 1 });
    for (let i = 0; i < 50; i += 1) recorder.record('sc-1', { firmware: 'NRZ-2024-135' });
    await recorder.idle();
    expect(calls).toEqual({ get: 1, updateMeta: 1 });
  });

  it('does not write what the device already has, and writes again when the firmware changes', async () => {
    await registry.add({ id: 'sc-2', city: 'nice', meta: { firmware: 'A' } });
    const recorder = createDeviceMetaRecorder(counted, silentLogger());
    recorder.record('sc-2', { firmware: 'A' });
    await recorder.idle();
    expect(calls.updateMeta).toBe(0);
    recorder.record('sc-2', { firmware: 'B' });
    await recorder.idle();
    expect(calls.updateMeta).toBe(1);
    expect((await registry.get('sc-2'))?.meta).toEqual({ firmware: 'B' });
  });

  it('survives a refused write and tries again on the next message', async () => {
    await registry.add({ id: 'sc-3', city: 'nice' });
    const recorder = createDeviceMetaRecorder(counted, silentLogger());
    recorder.record('sc-3', { firmware: 'x'.repeat(500) });
    await recorder.idle();
    expect((await registry.get('sc-3'))?.meta).toBeUndefined();
    recorder.record('sc-3', { firmware: 'C' });
    await recorder.idle();
    expect((await registry.get('sc-3'))?.meta).toEqual({ firmware: 'C' });
  });
});
