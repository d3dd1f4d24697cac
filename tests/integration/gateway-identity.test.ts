import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceCredentials } from '../../devices/device.ts';
import {
  connectClient,
  mosquittoPub,
  runProcess,
  startTestGateway,
  type TestGateway,
} from './gateway-fixture.ts';
import { connectPacket, rawConnect } from './raw-mqtt.ts';

// Issue 8 "identity": no device can take over, block or attach to another device's client id
// or session, whatever id it sends; MQTT 3.1.1 §3.1.3.1 for empty client ids.
let gw: TestGateway;
let a: DeviceCredentials;
let b: DeviceCredentials;
const clients: MqttClient[] = [];

const connect = (creds: { username: string; password: string }, extra: IClientOptions = {}) =>
  connectClient(gw.url, creds, extra, clients);

beforeAll(async () => {
  gw = await startTestGateway();
  a = await gw.registry.add({ id: 'squatter', city: 'nice' });
  b = await gw.registry.add({ id: 'victim', city: 'nice' });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
});

afterAll(async () => {
  await gw.close();
});

describe('gateway identity: client ids are bound to the device', () => {
  it("a device holding another device's predictable client id does not lock that device out", async () => {
    const squatter = await connect(a, { clientId: 'victim-main' });
    const victim = await connect(b, { clientId: 'victim-main' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(victim.connected).toBe(true);
    expect(squatter.connected).toBe(true);
    // And the victim's own publish gets through while the squatter stays connected.
    await victim.publishAsync('ucap/nice/victim/readings', '{"ts":0}', { qos: 1 });
  });

  it("a device cannot attach to another device's offline persistent session nor take its queued messages", async () => {
    const commands = 'ucap/nice/victim/commands';
    const first = await connect(b, { clientId: 'victim-persist', clean: false });
    await first.subscribeAsync(commands, { qos: 1 });
    await first.endAsync();
    const service = await connect(gw.service, { clientId: 'ops-console' });
    await service.publishAsync(commands, 'calibrate', { qos: 1 });

    const received: string[] = [];
    const squatter = await connect(a, { clientId: 'victim-persist', clean: false });
    // Today's broker answered sessionPresent=1 here and handed over the victim's queue.
    expect(squatter.connected).toBe(true);
    squatter.on('message', (_topic, payload) => received.push(payload.toString()));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).toEqual([]);

    const victimMessages: string[] = [];
    const back = await connectAsync(gw.url, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      username: b.username,
      password: b.password,
      clientId: 'victim-persist',
      clean: false,
    });
    clients.push(back);
    const got = new Promise<string>((resolve) =>
      back.on('message', (_topic, payload) => {
        victimMessages.push(payload.toString());
        resolve(payload.toString());
      }),
    );
    expect(await got).toBe('calibrate');
    expect(victimMessages).toEqual(['calibrate']);
  });

  it('refuses an empty client id with CleanSession 0 (CONNACK 0x02, MQTT 3.1.1 §3.1.3.1)', async () => {
    const refused = await rawConnect(
      gw.port,
      connectPacket({ clientId: '', username: a.username, password: a.password, clean: false }),
    );
    expect(refused.returnCode).toBe(2);
    refused.socket.destroy();
    const accepted = await rawConnect(
      gw.port,
      connectPacket({ clientId: '', username: a.username, password: a.password, clean: true }),
    );
    expect(accepted.returnCode).toBe(0);
    accepted.socket.destroy();
  });

  it("keeps mosquitto_pub's default (random) and explicit -i client ids usable", async () => {
    const plain = await mosquittoPub(gw.port, a.username, a.password, 'ucap/nice/squatter/readings', '{}', 1);
    expect(plain.code, plain.stderr).toBe(0);
    const named = await runProcess('mosquitto_pub', [
      ...['-h', '127.0.0.1', '-p', String(gw.port), '-u', a.username, '-P', a.password],
      ...['-i', 'victim', '-t', 'ucap/nice/squatter/readings', '-m', '{}', '-q', '1'],
    ]);
    expect(named.code, named.stderr).toBe(0);
  });

  it("closes a removed device's mosquitto_sub at once", async () => {
    const doomed = await gw.registry.add({ id: 'doomed-sub', city: 'nice' });
    const sub = runProcess(
      'mosquitto_sub',
      [
        ...['-h', '127.0.0.1', '-p', String(gw.port), '-u', doomed.username, '-P', doomed.password],
        ...['-t', 'ucap/nice/doomed-sub/commands', '-k', '60'],
      ],
      { timeoutMs: 10_000 },
    );
    // Give it time to connect and subscribe.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = Date.now();
    await gw.registry.remove('doomed-sub');
    const result = await sub;
    expect(result.code).not.toBe(null);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
