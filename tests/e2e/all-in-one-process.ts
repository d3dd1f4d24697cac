import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../setup/free-port.ts';

/** `npm start` as a person runs it (`tsx app/main.ts`), on free loopback ports, JSON logs captured. */
export interface AllInOneProcess {
  readonly apiUrl: string;
  readonly mqttPort: number;
  readonly logs: string[];
  /** Sends SIGINT (Ctrl-C) and resolves with the exit code. */
  interrupt(timeoutMs?: number): Promise<number | null>;
  kill(): void;
}

export interface AllInOnePorts {
  readonly api: number;
  readonly mqtt: number;
  readonly gatewayHttp: number;
}

export async function allocatePorts(): Promise<AllInOnePorts> {
  return { api: await freePort(), mqtt: await freePort(), gatewayHttp: await freePort() };
}

export async function startAllInOneProcess(
  env: NodeJS.ProcessEnv,
  ports: AllInOnePorts,
): Promise<AllInOneProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'app/main.ts'], {
    env: {
      ...process.env,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      BIND_HOST: '127.0.0.1',
      API_PORT: String(ports.api),
      MQTT_PORT: String(ports.mqtt),
      GATEWAY_HTTP_PORT: String(ports.gatewayHttp),
      SIMULATOR_INTERVAL_MS: '250',
      PROGRESS_INTERVAL_MS: '1000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let buffered = '';
  const collect = (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    logs.push(...lines.filter((l) => l.length > 0));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = await Promise.race([
    waitForLine(logs, /ucap-monitor running/, 45_000),
    exited.then((code) => {
      throw new Error(`npm start exited with ${code} before it was running:\n${logs.join('\n')}`);
    }),
  ]);
  const line = JSON.parse(started) as { api: string };
  return {
    apiUrl: line.api,
    mqttPort: ports.mqtt,
    logs,
    async interrupt(timeoutMs = 30_000) {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

async function waitForLine(logs: string[], pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = logs.find((l) => pattern.test(l));
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(`no log line matching ${pattern} within ${timeoutMs} ms:\n${logs.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls a JSON endpoint until `accept` is satisfied (the pipeline is asynchronous by nature). */
export async function pollJson<T>(url: string, accept: (body: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const response = await fetch(url);
    last = await response.json();
    if (response.ok && accept(last as T)) return last as T;
    if (Date.now() > deadline)
      throw new Error(
        `${url} did not give the expected answer within ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}
