import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { Inbox, metricValue, runProcess, startTestGateway, type TestGateway } from './gateway-fixture.ts';

// Issue 8 "retained messages": a reading is not state. A device's retained publish is passed
// on live but never kept, so nothing is replayed to a later subscriber or after a restart.
const dirs: string[] = [];
const open: TestGateway[] = [];

async function gatewayIn(dataDir: string): Promise<TestGateway> {
  const gw = await startTestGateway({ dataDir });
  open.push(gw);
  return gw;
}

async function subscriber(gw: TestGateway): Promise<{ client: MqttClient; inbox: Inbox }> {
  const client = await connectAsync(gw.url, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    clientId: 'retain-watcher',
    username: gw.service.username,
    password: gw.service.password,
  });
  const inbox = new Inbox(client);
  await client.subscribeAsync('ucap/+/+/readings', { qos: 1 });
  return { client, inbox };
}

afterAll(async () => {
  for (const gw of open) await gw.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('gateway: retained publishes from devices', () => {
  it('delivers a retained publish live, keeps nothing, and replays nothing after a real restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ucap-retain-'));
    dirs.push(dataDir);
    const first = await gatewayIn(dataDir);
    const device = await first.registry.add({ id: 'retainer', city: 'nice' });
    const live = await subscriber(first);
    const pub = await runProcess('mosquitto_pub', [
      ...['-h', '127.0.0.1', '-p', String(first.port), '-u', device.username, '-P', device.password],
      ...['-t', 'ucap/nice/retainer/readings', '-m', '{"ts":1,"tag":"retained-one"}', '-q', '1', '-r'],
    ]);
    expect(pub.code, pub.stderr).toBe(0);
    const got = await live.inbox.waitFor((m) => m.payload.includes('retained-one'), 'the live copy');
    expect(got.topic).toBe('ucap/nice/retainer/readings');
    await live.client.endAsync();

    // A new subscriber on the running gateway gets no stored copy.
    const later = await subscriber(first);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(later.inbox.messages).toEqual([]);
    await later.client.endAsync();
    expect(await metricValue(first.metrics, 'ucap_gateway_retain_stripped_total')).toBe(1);

    // Nor does one after the gateway restarts on the same DATA_DIR.
    await first.close();
    const second = await gatewayIn(dataDir);
    const afterRestart = await subscriber(second);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(afterRestart.inbox.messages).toEqual([]);
    await afterRestart.client.endAsync();
  });
});
