import { startService } from '../../bench/load/service-process.ts';
import { freePort } from '../setup/free-port.ts';

/** `npm start` as a person runs it (`tsx app/main.ts`), on free loopback ports, JSON logs captured. */
export interface AllInOneProcess {
  readonly apiUrl: string;
  readonly mqttPort: number;
  readonly logs: readonly string[];
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
  const app = await startService({
    name: 'npm start',
    entry: 'app/main.ts',
    readyLog: /ucap-monitor running/,
    startTimeoutMs: 45_000,
    env: {
      BIND_HOST: '127.0.0.1',
      API_PORT: String(ports.api),
      MQTT_PORT: String(ports.mqtt),
      GATEWAY_HTTP_PORT: String(ports.gatewayHttp),
      SIMULATOR_INTERVAL_MS: '250',
      PROGRESS_INTERVAL_MS: '1000',
      ...env,
    },
  });
  return {
    apiUrl: String(app.readyLine.api),
    mqttPort: ports.mqtt,
    logs: app.logs,
    interrupt: (timeoutMs = 30_000) => app.stop(timeoutMs),
    kill: () => void app.kill('SIGKILL'),
  };
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
