import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { relayBatchesTopic } from '../../domain/topics.ts';
import { runProcess } from './gateway-fixture.ts';

const root = resolve(import.meta.dirname, '../..');
let dataDir: string;
const children: ChildProcessWithoutNullStreams[] = [];

function gatewayEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { MQTT_SERVICE_PASSWORD: _inherited, ...env } = process.env;
  return { ...env, LOG_FORMAT: 'json', DATA_DIR: dataDir, MQTT_PORT: '0', GATEWAY_HTTP_PORT: '0', ...extra };
}

/** Starts `tsx gateway/main.ts` and resolves with its "listening" log line. */
function startGateway(
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcessWithoutNullStreams; line: Record<string, unknown> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], { cwd: root, env });
  children.push(child);
  return new Promise((resolvePromise, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (const text of buffered.split('\n').slice(0, -1)) {
        const line = JSON.parse(text) as Record<string, unknown>;
        if (typeof line.mqtt === 'string') resolvePromise({ child, line });
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
    child.on('exit', (code) => reject(new Error(`gateway exited with ${code} before listening`)));
  });
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ucap-gateway-main-'));
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

describe('gateway/main.ts', () => {
  it('refuses to start without MQTT_SERVICE_PASSWORD, saying ingest needs the same value', async () => {
    const result = await runProcess(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
      cwd: root,
      env: gatewayEnv({}),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/MQTT_SERVICE_PASSWORD: required.*same value/);
  });

  it('refuses to start on a corrupt registry, naming the file', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'ucap-gateway-bad-'));
    await writeFile(join(bad, 'devices.json'), 'not json');
    const result = await runProcess(process.execPath, ['--import', 'tsx', 'gateway/main.ts'], {
      cwd: root,
      env: gatewayEnv({ DATA_DIR: bad, MQTT_SERVICE_PASSWORD: 'main-test-service-secret' }),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`device registry ${join(bad, 'devices.json')} is corrupt`);
    await rm(bad, { recursive: true, force: true });
  });

  it('prints where it listens, serves ops endpoints, is ready once an ingest worker takes relay batches, stops on SIGTERM', async () => {
    const { child, line } = await startGateway(
      gatewayEnv({ MQTT_SERVICE_PASSWORD: 'main-test-service-secret' }),
    );
    expect(line.mqtt).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(line.msg).toContain(`listening on ${line.mqtt}`);
    const ops = String(line.ops);
    expect((await fetch(`${ops}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${ops}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.text()).toContain('no ingest worker is connected');

    const ingest = await connectAsync(String(line.mqtt), {
      protocolVersion: 4,
      reconnectPeriod: 0,
      username: 'ucap-ingest',
      password: 'main-test-service-secret',
    });
    await ingest.subscribeAsync(relayBatchesTopic('ucap-ingest'), { qos: 0 });
    expect((await fetch(`${ops}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${ops}/metrics`)).text();
    expect(metrics).toMatch(/ucap_gateway_connected_clients\{service="ucap-gateway"\} 1/);
    await ingest.endAsync();

    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
