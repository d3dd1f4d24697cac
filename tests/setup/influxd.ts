import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export interface RunningInfluxd {
  readonly url: string;
  /** The running server's process id (benchmarks read its CPU time). */
  readonly pid: number | undefined;
  /** Stops the server, keeping its data and port for resume() (an outage). */
  pause(): Promise<void>;
  /** Starts it again on the same data and port; resolves once it answers. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts Debian's InfluxDB 1.x (`influxd`) on free loopback ports with its data in a temp dir.
 * tests/setup/preflight.js has made sure the binary exists.
 */
export async function startInfluxd(): Promise<RunningInfluxd> {
  const dir = await mkdtemp(join(tmpdir(), 'ucap-influxd-'));
  const httpPort = await freePort();
  const rpcPort = await freePort();
  const config = [
    'reporting-disabled = true',
    `bind-address = "127.0.0.1:${rpcPort}"`,
    '[meta]',
    `  dir = "${join(dir, 'meta')}"`,
    '[data]',
    `  dir = "${join(dir, 'data')}"`,
    `  wal-dir = "${join(dir, 'wal')}"`,
    '  query-log-enabled = false',
    '[http]',
    '  enabled = true',
    `  bind-address = "127.0.0.1:${httpPort}"`,
    '  auth-enabled = false',
    '  log-enabled = false',
    '[monitor]',
    '  store-enabled = false',
    '[continuous_queries]',
    '  enabled = false',
    '',
  ].join('\n');
  const configPath = join(dir, 'influxdb.conf');
  await writeFile(configPath, config);
  const url = `http://127.0.0.1:${httpPort}`;
  let running = await spawnInfluxd(configPath, url);
  return {
    url,
    get pid() {
      return running.pid;
    },
    async pause() {
      await running.stop();
    },
    async resume() {
      running = await spawnInfluxd(configPath, url);
    },
    async stop() {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One influxd process on a config; resolves once it answers /ping. */
async function spawnInfluxd(
  configPath: string,
  url: string,
): Promise<{ readonly pid: number | undefined; stop(): Promise<void> }> {
  const output: string[] = [];
  const child: ChildProcess = spawn('influxd', ['run', '-config', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const state = await Promise.race([exited.then(() => 'exited' as const), ping(url)]);
    if (state === 'exited') throw new Error(`influxd exited during start-up:\n${output.join('')}`);
    if (state === true) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`influxd did not answer /ping within 30 s:\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function ping(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1000) });
    return response.status === 204;
  } catch {
    return false;
  }
}
