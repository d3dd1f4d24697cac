import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { freePort } from '../../tests/setup/free-port.ts';
import { COUNTED_METRIC } from './stored-counts.ts';

/**
 * The machine's ceiling: Debian's Mosquitto on a loopback port, anonymous, no persistence, and a
 * plain mqtt.js subscriber counting the messages it receives per device. Same devices, same
 * payloads, same QoS as against the gateway; nothing is validated or stored.
 */
export interface MosquittoBaseline {
  readonly mqttUrl: string;
  readonly pid: number;
  /** Messages carrying the counted metric received per device (the QoS 1 ones). */
  received(): ReadonlyMap<string, number>;
  stop(): Promise<void>;
}

/** The broker is not installed: the baseline is a comparison, so the bench goes on without it. */
export class MosquittoMissingError extends Error {
  constructor() {
    super(
      "Debian's Mosquitto broker is not installed (`apt-get install mosquitto`): the baseline is skipped (--no-baseline skips it on purpose)",
    );
    this.name = 'MosquittoMissingError';
  }
}

export async function startMosquittoBaseline(): Promise<MosquittoBaseline> {
  const dir = await mkdtemp(join(tmpdir(), 'ucap-mosquitto-'));
  const port = await freePort();
  const configPath = join(dir, 'mosquitto.conf');
  // max_queued_messages 0: no cap on the subscriber's queue, so Mosquitto never drops for us.
  await writeFile(
    configPath,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_queued_messages 0',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('mosquitto', ['-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await once(child, 'spawn');
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MosquittoMissingError();
    throw error;
  }
  const output: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.on('error', (error) => output.push(`${error.message}\n`));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const mqttUrl = `mqtt://127.0.0.1:${port}`;
  let subscriber: MqttClient | undefined;
  const stop = async () => {
    await subscriber?.endAsync(true).catch(() => undefined);
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    subscriber = await connectWithRetry(mqttUrl, () => child.exitCode !== null, output);
    const counts = new Map<string, number>();
    const marker = Buffer.from(`"${COUNTED_METRIC}"`);
    subscriber.on('message', (topic, payload) => {
      if (!payload.includes(marker)) return;
      const device = topic.split('/')[2] ?? '';
      counts.set(device, (counts.get(device) ?? 0) + 1);
    });
    await subscriber.subscribeAsync('ucap/#', { qos: 1 });
    return { mqttUrl, pid: child.pid as number, received: () => counts, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function connectWithRetry(url: string, gone: () => boolean, output: string[]): Promise<MqttClient> {
  const deadline = performance.now() + 10_000;
  for (;;) {
    try {
      return await mqtt.connectAsync(url, {
        protocolVersion: 4,
        clientId: 'baseline-subscriber',
        reconnectPeriod: 0,
      });
    } catch (error) {
      if (gone() || performance.now() > deadline)
        throw new Error(`mosquitto did not accept a connection: ${String(error)}\n${output.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
