import { connect, type Socket } from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceCredentials } from '../../devices/device.ts';
import { connectClient, metricValue, startTestGateway, type TestGateway } from './gateway-fixture.ts';
import { connectPacket, floodFromChild, rawConnect } from './raw-mqtt.ts';

// Issue 8 "floods cost nothing". Each hostile client comes from its own loopback address
// (127.0.0.0/8 all reaches the gateway on 127.0.0.1), so per-address rules can be seen apart
// from the legitimate device on 127.0.0.1.
let gw: TestGateway;
let victim: DeviceCredentials;
let bystander: DeviceCredentials;
let multi: DeviceCredentials;
const clients: MqttClient[] = [];

const connectDevice = (creds: DeviceCredentials, clientId?: string) =>
  connectClient(gw.url, creds, clientId ? { clientId } : {}, clients);

const LIMITS = {
  maxConnectionsPerDevice: 3,
  maxKeepaliveSeconds: 1,
  loginFailuresPerAddress: 500,
  refusalLogIntervalMs: 300,
};

beforeAll(async () => {
  gw = await startTestGateway({ limits: LIMITS });
  victim = await gw.registry.add({ id: 'flooded', city: 'nice' });
  bystander = await gw.registry.add({ id: 'bystander', city: 'nice' });
  multi = await gw.registry.add({ id: 'multi', city: 'nice' });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
});

afterAll(async () => {
  await gw.close();
});

describe('gateway floods', () => {
  it('lets a legitimate device connect within 1 s (plus its own login time) during a 400-attempt wrong-password flood on another id', async () => {
    // Baseline: one login on this (shared, possibly busy) machine, scrypt included.
    const baselineStart = performance.now();
    await (await connectDevice(multi, 'baseline')).endAsync();
    const baseline = performance.now() - baselineStart;
    const wrong = connectPacket({ clientId: '', username: victim.username, password: 'wrong-guess' });
    let sent: () => void = () => undefined;
    const allSent = new Promise<void>((resolve) => {
      sent = resolve;
    });
    const flood = floodFromChild(gw.port, wrong, 400, '127.0.0.2', () => sent());
    await allSent;
    const started = performance.now();
    const device = await connectDevice(bystander);
    const took = performance.now() - started;
    expect(device.connected).toBe(true);
    // Today's FIFO scrypt queue made it wait behind the whole flood (400 x ~50 ms / 2 threads).
    expect(took).toBeLessThan(1000 + 2 * baseline);
    const { codes } = await flood;
    // Every attempt was refused: wrong password (4), or throttled/busy without scrypt (3).
    expect((codes['3'] ?? 0) + (codes['4'] ?? 0)).toBe(400);
    // scrypt ran for only a few of them.
    expect(codes['4'] ?? 0).toBeLessThan(30);
  });

  it('throttles a source address that guesses across many device ids, not other addresses', async () => {
    const throttled = await startTestGateway({ limits: { loginFailuresPerAddress: 10 } });
    try {
      const real = await throttled.registry.add({ id: 'real', city: 'nice' });
      for (let i = 0; i < 15; i++) {
        const guess = connectPacket({ clientId: `g${i}`, username: `guess-${i}`, password: 'x' });
        (await rawConnect(throttled.port, guess, { localAddress: '127.0.0.3' })).socket.destroy();
      }
      const good = connectPacket({ clientId: 'real-1', username: real.username, password: real.password });
      const fromAttacker = await rawConnect(throttled.port, good, { localAddress: '127.0.0.3' });
      fromAttacker.socket.destroy();
      expect(fromAttacker.returnCode).toBe(3);
      const fromElsewhere = await rawConnect(throttled.port, good, { localAddress: '127.0.0.1' });
      fromElsewhere.socket.destroy();
      expect(fromElsewhere.returnCode).toBe(0);
      expect(
        await metricValue(throttled.metrics, 'ucap_gateway_connections_refused_total', {
          reason: 'address-throttled',
        }),
      ).toBeGreaterThan(0);
    } finally {
      await throttled.close();
    }
  });

  it('refuses connections beyond the per-device limit, whatever client ids they use (CONNACK 3)', async () => {
    for (let i = 0; i < LIMITS.maxConnectionsPerDevice; i++) await connectDevice(multi, `multi-${i}`);
    const extra = await connectDevice(multi, 'multi-extra').then(
      () => undefined,
      (error: unknown) => error as { code?: number },
    );
    expect(extra?.code).toBe(3);
    // A reconnect on a client id already held takes its own session over: not an extra connection.
    await connectDevice(multi, 'multi-0');
    expect(
      await metricValue(gw.metrics, 'ucap_gateway_connections_refused_total', {
        reason: 'device-connection-limit',
      }),
    ).toBe(1);
  });

  it('closes TCP connections beyond the per-address limit before MQTT starts', async () => {
    const limited = await startTestGateway({ limits: { maxConnectionsPerAddress: 5 } });
    const idle: Socket[] = [];
    try {
      // Idle sockets that never send CONNECT hold their slots.
      for (let i = 0; i < 5; i++) {
        const socket = connect({ host: '127.0.0.1', port: limited.port, localAddress: '127.0.0.4' });
        await new Promise((resolve) => socket.once('connect', resolve));
        idle.push(socket);
      }
      const creds = await limited.registry.add({ id: 'crowded', city: 'nice' });
      const packet = connectPacket({ clientId: 'c', username: creds.username, password: creds.password });
      const extra = await rawConnect(limited.port, packet, { localAddress: '127.0.0.4' });
      expect(extra.returnCode).toBeUndefined();
      const elsewhere = await rawConnect(limited.port, packet, { localAddress: '127.0.0.1' });
      elsewhere.socket.destroy();
      expect(elsewhere.returnCode).toBe(0);
      expect(
        await metricValue(limited.metrics, 'ucap_gateway_connections_refused_total', {
          reason: 'address-connection-limit',
        }),
      ).toBe(1);
    } finally {
      for (const socket of idle) socket.destroy();
      await limited.close();
    }
  });

  it('caps keep-alive 0 (never) at GATEWAY_MAX_KEEPALIVE_S: a silent client is closed', async () => {
    const silent = await rawConnect(
      gw.port,
      connectPacket({ clientId: 'silent', username: multi.username, password: multi.password, keepalive: 0 }),
    );
    expect(silent.returnCode).toBe(0);
    const started = Date.now();
    await new Promise((resolve) => silent.socket.once('close', resolve));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await metricValue(gw.metrics, 'ucap_gateway_keepalive_capped_total')).toBeGreaterThanOrEqual(1);
  });

  it('logs refusals as one summary line per interval, without stack traces', async () => {
    await new Promise((resolve) => setTimeout(resolve, LIMITS.refusalLogIntervalMs * 2));
    const warnings = gw.logs.map((l) => JSON.parse(l) as { level: number; msg: string; refused?: unknown });
    const summaries = warnings.filter((l) => l.msg.startsWith('refused MQTT connections'));
    expect(summaries.length).toBeGreaterThan(0);
    // Hundreds of refusals above, a handful of summary lines.
    expect(warnings.filter((l) => l.level >= 40).length).toBe(summaries.length);
    expect(gw.logs.some((l) => l.includes('"stack"'))).toBe(false);
    expect(summaries[0]).toMatchObject({ refused: { connection: { byReason: expect.any(Object) } } });
  });
});
