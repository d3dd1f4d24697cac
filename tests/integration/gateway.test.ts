import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceCredentials } from '../../devices/device.ts';
import { MAX_PAYLOAD_BYTES } from '../../gateway/broker-limits.ts';
import {
  Inbox,
  metricValue,
  mosquittoPub,
  runProcess,
  startTestGateway,
  type TestGateway,
} from './gateway-fixture.ts';

let gw: TestGateway;
let ingest: MqttClient;
let inbox: Inbox;
let niceA: DeviceCredentials;
let niceB: DeviceCredentials;
let zzA: DeviceCredentials;
const clients: MqttClient[] = [];

function connect(username: string, password: string, extra: IClientOptions = {}): Promise<MqttClient> {
  return connectAsync(gw.url, { protocolVersion: 4, reconnectPeriod: 0, username, password, ...extra }).then(
    (c) => {
      // The gateway cuts refused clients off mid-write; the resulting ECONNRESET is expected here.
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    },
  );
}

/** Resolves when the gateway closes the client's connection; fails the test after 5 s. */
function closeOf(client: MqttClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the gateway did not close the connection within 5 s')),
      5_000,
    );
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function connectDevice(creds: DeviceCredentials, extra: IClientOptions = {}): Promise<MqttClient> {
  return connect(creds.username, creds.password, extra);
}

/** Rejection of a connection attempt, with the CONNACK return code mqtt.js reports. */
async function refusal(username: string, password: string, extra: IClientOptions = {}) {
  const error = await connect(username, password, extra).then(
    () => undefined,
    (e: unknown) => e as Error & { code?: number },
  );
  if (!error) throw new Error(`connection as ${username} was accepted`);
  return { code: error.code, message: error.message };
}

const reading = (tag: string) => JSON.stringify({ ts: new Date().toISOString(), tag });
const tagged = (tag: string) => (m: { payload: string }) => m.payload.includes(`"${tag}"`);

beforeAll(async () => {
  gw = await startTestGateway();
  niceA = await gw.registry.add({ id: 'nice-a', city: 'nice' });
  niceB = await gw.registry.add({ id: 'nice-b', city: 'nice' });
  zzA = await gw.registry.add({ id: 'zz-a', city: 'zhengzhou' });
  ingest = await connectAsync(gw.url, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    clientId: 'ucap-ingest',
    username: gw.service.username,
    password: gw.service.password,
  });
  inbox = new Inbox(ingest);
  const granted = await ingest.subscribeAsync('ucap/+/+/readings', { qos: 1 });
  expect(granted).toEqual([{ topic: 'ucap/+/+/readings', qos: 1 }]);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
});

afterAll(async () => {
  await ingest?.endAsync(true);
  await gw?.close();
});

describe('gateway: publishing readings', () => {
  it('delivers a device QoS 0 and QoS 1 publish made with mqtt.js to the service subscriber', async () => {
    const device = await connectDevice(niceA);
    await device.publishAsync('ucap/nice/nice-a/readings', reading('mqttjs-q0'), { qos: 0 });
    // For QoS 1, publishAsync resolves only once the gateway's PUBACK has arrived.
    await device.publishAsync('ucap/nice/nice-a/readings', reading('mqttjs-q1'), { qos: 1 });
    const q0 = await inbox.waitFor(tagged('mqttjs-q0'), 'mqttjs-q0');
    const q1 = await inbox.waitFor(tagged('mqttjs-q1'), 'mqttjs-q1');
    expect(q0.topic).toBe('ucap/nice/nice-a/readings');
    expect(q1).toMatchObject({ topic: 'ucap/nice/nice-a/readings', qos: 1 });
    expect(
      await metricValue(gw.metrics, 'ucap_gateway_messages_published_total', { city: 'nice' }),
    ).toBeGreaterThan(1);
  });

  it("delivers QoS 1 and QoS 0 publishes made with Debian's mosquitto_pub", async () => {
    const q1 = await mosquittoPub(
      gw.port,
      zzA.username,
      zzA.password,
      'ucap/zhengzhou/zz-a/readings',
      reading('mosq-q1'),
      1,
    );
    expect(q1).toMatchObject({ code: 0, stderr: '' });
    const q0 = await mosquittoPub(
      gw.port,
      zzA.username,
      zzA.password,
      'ucap/zhengzhou/zz-a/readings',
      reading('mosq-q0'),
      0,
    );
    expect(q0.code).toBe(0);
    expect((await inbox.waitFor(tagged('mosq-q1'), 'mosq-q1')).topic).toBe('ucap/zhengzhou/zz-a/readings');
    expect((await inbox.waitFor(tagged('mosq-q0'), 'mosq-q0')).topic).toBe('ucap/zhengzhou/zz-a/readings');
  });
});

describe('gateway: authentication', () => {
  it('refuses a wrong password (mqtt.js and mosquitto_pub), logs and counts it without the password', async () => {
    const before = await metricValue(gw.metrics, 'ucap_gateway_connections_refused_total', {
      reason: 'bad-credentials',
    });
    const wrong = `${niceA.password.slice(0, -3)}xyz`;
    expect(await refusal('nice-a', wrong, { clientId: 'wrong-pw-client' })).toMatchObject({ code: 4 });
    const pub = await mosquittoPub(
      gw.port,
      'nice-a',
      wrong,
      'ucap/nice/nice-a/readings',
      reading('wrong-pw'),
      1,
    );
    expect(pub.code).not.toBe(0);
    expect(pub.stderr).toMatch(/bad user name or password/i);
    expect(
      await metricValue(gw.metrics, 'ucap_gateway_connections_refused_total', { reason: 'bad-credentials' }),
    ).toBe(before + 2);
    const line = gw.logs.find((l) => l.includes('"wrong-pw-client"'));
    // Expected refusals are debug lines; a summary warning per interval (refusal-summary.ts).
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      level: 20,
      msg: 'connection refused',
      username: 'nice-a',
      reason: 'bad-credentials',
    });
    expect(gw.logs.join('\n')).not.toContain(wrong);
    expect(inbox.payloads().some((p) => p.includes('wrong-pw'))).toBe(false);
  });

  it('refuses unknown devices, missing credentials and a wrong service password', async () => {
    expect(await refusal('no-such-device', niceA.password)).toMatchObject({ code: 4 });
    const anonymous = await connectAsync(gw.url, { protocolVersion: 4, reconnectPeriod: 0 }).catch(
      (e: unknown) => e,
    );
    expect(anonymous).toMatchObject({ code: 5 });
    expect(await refusal(gw.service.username, 'not-the-service-password')).toMatchObject({ code: 4 });
    expect(
      await metricValue(gw.metrics, 'ucap_gateway_connections_refused_total', {
        reason: 'missing-credentials',
      }),
    ).toBe(1);
  });

  it("keeps ingest's client ids and other devices' sessions out of a device's reach", async () => {
    // Each device's client ids live in its own namespace: taking "ucap-ingest" or another
    // device's id is accepted but touches nobody else's session.
    const squatIngest = await connectDevice(niceA, { clientId: 'ucap-ingest' });
    const b = await connectDevice(niceB, { clientId: 'station-b' });
    const squatB = await connectDevice(niceA, { clientId: 'station-b' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect([ingest.connected, b.connected, squatIngest.connected, squatB.connected]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    // The same device may take over its own session (a normal reconnect).
    const closed = closeOf(b);
    await connectDevice(niceB, { clientId: 'station-b' });
    await closed;
    // ingest is still connected and still receiving.
    const device = await connectDevice(niceA);
    await device.publishAsync('ucap/nice/nice-a/readings', reading('after-takeover'), { qos: 1 });
    await inbox.waitFor(tagged('after-takeover'), 'after-takeover');
  });
});

describe('gateway: publish ACL', () => {
  it.each([
    ['another device in the same city', 'ucap/nice/nice-b/readings', 'foreign-topic'],
    ["another city's topic", 'ucap/zhengzhou/nice-a/readings', 'foreign-topic'],
    ['a topic outside the scheme', 'ucap/nice/nice-a/status', 'topic-not-allowed'],
    ['the $SYS tree', '$SYS/fake/heartbeat', 'topic-not-allowed'],
  ])('drops a device publish to %s and closes its connection', async (_what, topic, reason) => {
    const before = await metricValue(gw.metrics, 'ucap_gateway_publishes_refused_total', { reason });
    const tag = `forbidden-${topic}`;
    const device = await connectDevice(niceA);
    const closed = closeOf(device);
    device.publish(topic, reading(tag), { qos: 0 });
    await closed;
    // A later legitimate message arrives, so the forbidden one (published first) would have too.
    const again = await connectDevice(niceA);
    await again.publishAsync('ucap/nice/nice-a/readings', reading(`after-${tag}`), { qos: 1 });
    await inbox.waitFor(tagged(`after-${tag}`), `after-${tag}`);
    expect(inbox.payloads().some((p) => p.includes(`"${tag}"`))).toBe(false);
    expect(await metricValue(gw.metrics, 'ucap_gateway_publishes_refused_total', { reason })).toBe(
      before + 1,
    );
    expect(gw.logs.some((l) => l.includes('"publish refused"') && l.includes(JSON.stringify(topic)))).toBe(
      true,
    );
  });

  it("drops a mosquitto_pub publish to another device's topic", async () => {
    const forged = await mosquittoPub(
      gw.port,
      zzA.username,
      zzA.password,
      'ucap/nice/nice-a/readings',
      reading('mosq-forged'),
      1,
    );
    expect(forged.code).not.toBe(0);
    await mosquittoPub(
      gw.port,
      zzA.username,
      zzA.password,
      'ucap/zhengzhou/zz-a/readings',
      reading('mosq-legit'),
      1,
    );
    await inbox.waitFor(tagged('mosq-legit'), 'mosq-legit');
    expect(inbox.payloads().some((p) => p.includes('mosq-forged'))).toBe(false);
  });

  it('does not let the service account forge readings', async () => {
    const service = await connect(gw.service.username, gw.service.password, {
      clientId: 'ucap-ingest-forger',
    });
    const closed = closeOf(service);
    service.publish('ucap/nice/nice-a/readings', reading('service-forged'), { qos: 0 });
    await closed;
    const device = await connectDevice(niceA);
    await device.publishAsync('ucap/nice/nice-a/readings', reading('after-service-forged'), { qos: 1 });
    await inbox.waitFor(tagged('after-service-forged'), 'after-service-forged');
    expect(inbox.payloads().some((p) => p.includes('"service-forged"'))).toBe(false);
    expect(
      await metricValue(gw.metrics, 'ucap_gateway_publishes_refused_total', {
        reason: 'service-account-device-topic',
      }),
    ).toBe(1);
  });

  it(`accepts a ${MAX_PAYLOAD_BYTES}-byte payload and cuts off a larger one before buffering it`, async () => {
    const device = await connectDevice(niceA);
    const big = reading('max-size').padEnd(MAX_PAYLOAD_BYTES, ' ');
    await device.publishAsync('ucap/nice/nice-a/readings', big, { qos: 1 });
    expect((await inbox.waitFor(tagged('max-size'), 'max-size')).payload).toHaveLength(MAX_PAYLOAD_BYTES);

    const closed = closeOf(device);
    device.publish('ucap/nice/nice-a/readings', reading('too-big').padEnd(MAX_PAYLOAD_BYTES + 2048, ' '), {
      qos: 0,
    });
    await closed;
    const again = await connectDevice(niceA);
    await again.publishAsync('ucap/nice/nice-a/readings', reading('after-too-big'), { qos: 1 });
    await inbox.waitFor(tagged('after-too-big'), 'after-too-big');
    expect(inbox.payloads().some((p) => p.includes('"too-big"'))).toBe(false);
    expect(
      await metricValue(gw.metrics, 'ucap_gateway_connections_refused_total', { reason: 'frame-too-large' }),
    ).toBe(1);
  });
});

describe('gateway: subscribe ACL', () => {
  it("a device's mosquitto_sub cannot read other devices' readings", async () => {
    const sub = runProcess('mosquitto_sub', [
      ...['-h', '127.0.0.1', '-p', String(gw.port), '-u', niceB.username, '-P', niceB.password],
      ...['-t', 'ucap/+/+/readings', '-t', 'ucap/nice/nice-b/readings', '-t', 'ucap/nice/nice-b/commands'],
      ...['-v', '-C', '1', '-W', '20'],
    ]);
    // Wait until the gateway has handled the SUBSCRIBE (three filters: two refused, one granted).
    await expect
      .poll(
        () => gw.logs.filter((l) => l.includes('"subscription refused"') && l.includes('nice-b')).length,
        {
          timeout: 10_000,
        },
      )
      .toBeGreaterThanOrEqual(2);
    const device = await connectDevice(niceA);
    await device.publishAsync('ucap/nice/nice-a/readings', reading('secret-from-a'), { qos: 1 });
    await device
      .publishAsync('ucap/nice/nice-b/readings', reading('forged-into-b'), { qos: 0 })
      .catch(() => undefined);
    await inbox.waitFor(tagged('secret-from-a'), 'secret-from-a');
    // The one message mosquitto_sub gets is the command on its own topic, not a reading.
    const service = await connect(gw.service.username, gw.service.password, { clientId: 'ucap-ingest-cmd' });
    await service.publishAsync('ucap/nice/nice-b/commands', 'calibrate', { qos: 1 });
    const result = await sub;
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe('ucap/nice/nice-b/commands calibrate');
    expect(result.stdout).not.toContain('secret-from-a');
  });

  it('refuses $share subscriptions by name, and device-style filters for the service account', async () => {
    const consumer = await connect(gw.service.username, gw.service.password, {
      clientId: 'ucap-ingest-shared',
    });
    await expect(consumer.subscribeAsync('$share/ingest/ucap/+/+/readings', { qos: 1 })).rejects.toThrow();
    await expect(consumer.subscribeAsync('#', { qos: 1 })).rejects.toThrow();
    await expect(consumer.subscribeAsync('ucap/nice/+/readings', { qos: 1 })).resolves.toEqual([
      { topic: 'ucap/nice/+/readings', qos: 1 },
    ]);
    const shared = gw.logs.map((l) => JSON.parse(l)).find((l) => l.reason === 'shared-subscription');
    expect(shared).toMatchObject({ msg: 'subscription refused', filter: '$share/ingest/ucap/+/+/readings' });
    expect(shared.hint).toMatch(/not supported/);
    expect(
      await metricValue(gw.metrics, 'ucap_gateway_subscriptions_refused_total', {
        reason: 'shared-subscription',
      }),
    ).toBe(1);
  });
});

describe('gateway: registry changes while running', () => {
  it('lets a device added by the CLI (another process) connect at once', async () => {
    const cli = await runProcess(
      process.execPath,
      ['bin/ucap.js', 'devices', 'add', '--city', 'nice', '--id', 'cli-added'],
      {
        env: { ...process.env, DATA_DIR: gw.dataDir },
      },
    );
    expect(cli.code, cli.stderr).toBe(0);
    const creds = JSON.parse(cli.stdout) as DeviceCredentials;
    const device = await connectDevice(creds);
    await device.publishAsync('ucap/nice/cli-added/readings', reading('from-cli-device'), { qos: 1 });
    expect((await inbox.waitFor(tagged('from-cli-device'), 'from-cli-device')).topic).toBe(
      'ucap/nice/cli-added/readings',
    );
  });

  it('cuts off a removed device at once: its open connection is closed, and it cannot reconnect', async () => {
    const creds = await gw.registry.add({ id: 'doomed', city: 'nice' });
    const device = await connectDevice(creds);
    await device.publishAsync('ucap/nice/doomed/readings', reading('doomed-before'), { qos: 1 });
    await inbox.waitFor(tagged('doomed-before'), 'doomed-before');
    const closed = closeOf(device);
    await gw.registry.remove('doomed');
    await closed;
    expect(
      await metricValue(gw.metrics, 'ucap_gateway_connections_evicted_total', { reason: 'removed' }),
    ).toBe(1);
    expect(await refusal(creds.username, creds.password)).toMatchObject({ code: 4 });
    expect(inbox.payloads().some((p) => p.includes('doomed-after'))).toBe(false);
  });

  it('reports connected clients', async () => {
    await connectDevice(niceA);
    await connectDevice(niceB);
    // ingest + the two devices (other tests' clients are closed after each test)
    expect(await metricValue(gw.metrics, 'ucap_gateway_connected_clients')).toBe(3);
  });
});
