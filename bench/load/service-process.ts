import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** One of the project's entry points started as README says (`tsx <entry>`), with its own env. */
export interface ServiceSpec {
  /** Short name for reports, e.g. "gateway". */
  readonly name: string;
  /** Entry point relative to the repository root, e.g. "gateway/main.ts". */
  readonly entry: string;
  /** Added to (and overriding) this process's environment. */
  readonly env: NodeJS.ProcessEnv;
  /** The JSON log line (its `msg`) that says the service is up. */
  readonly readyLog: RegExp;
  readonly startTimeoutMs?: number;
}

export interface ServiceProcess {
  readonly spec: ServiceSpec;
  readonly pid: number;
  /** The parsed log line that matched readyLog. */
  readonly readyLine: Readonly<Record<string, unknown>>;
  /** Every log line so far (JSON text), for failure messages. */
  readonly logs: readonly string[];
  readonly exited: Promise<number | null>;
  running(): boolean;
  /** SIGINT (Ctrl-C), then SIGKILL after `timeoutMs`; resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** Sends a signal now (e.g. SIGKILL for a crash) and resolves when the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /**
   * The next log line (parsed) whose `msg` matches `pattern`, logged from now on; fails if the
   * process exits or `timeoutMs` passes first.
   */
  nextLog(pattern: RegExp, timeoutMs?: number): Promise<Readonly<Record<string, unknown>>>;
}

const MAX_KEPT_LINES = 2000;

/**
 * The node flags package.json's script for `entry` gives it (`"api": "tsx --max-semi-space-size=8
 * api/main.ts"` → `--max-semi-space-size=8`), so a service runs here as `npm run` runs it.
 */
export function scriptNodeFlags(entry: string): string[] {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  for (const command of Object.values(scripts)) {
    const words = command.split(/\s+/);
    if (words[0] === 'tsx' && words.at(-1) === entry) return words.slice(1, -1);
  }
  return [];
}

/** Spawns `node <its script's flags> --import tsx <entry>` with LOG_FORMAT=json and waits for its ready line. */
export async function startService(spec: ServiceSpec): Promise<ServiceProcess> {
  const args = [...scriptNodeFlags(spec.entry), '--import', 'tsx', spec.entry];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const watchers = new Set<(line: Record<string, unknown>) => void>();
  let buffered = '';
  const collect = (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.length === 0) continue;
      logs.push(line);
      if (logs.length > MAX_KEPT_LINES) logs.splice(0, logs.length - MAX_KEPT_LINES);
      // Parsed only while someone waits for a line: a service under load logs thousands.
      const parsed = watchers.size === 0 ? undefined : parseLine(line);
      if (parsed !== undefined) for (const watch of watchers) watch(parsed);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit(code ?? (signal === null ? null : 128))),
  );
  const nextLog = async (pattern: RegExp, timeoutMs = 600_000): Promise<Record<string, unknown>> => {
    let watch: (line: Record<string, unknown>) => void = () => {};
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        new Promise<Record<string, unknown>>((resolveLine) => {
          watch = (line) => {
            if (typeof line.msg === 'string' && pattern.test(line.msg)) resolveLine(line);
          };
          watchers.add(watch);
        }),
        exited.then((code) => {
          throw new Error(
            `${spec.name} (${spec.entry}) exited with ${code} before it logged "${pattern.source}":\n${tail(logs)}`,
          );
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(
                  `${spec.name} logged no "${pattern.source}" within ${timeoutMs} ms:\n${tail(logs)}`,
                ),
              ),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      watchers.delete(watch);
      clearTimeout(timer);
    }
  };
  let readyLine: Record<string, unknown>;
  try {
    readyLine = await nextLog(spec.readyLog, spec.startTimeoutMs ?? 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    spec,
    pid: child.pid as number,
    readyLine,
    logs,
    exited,
    running,
    async stop(stopTimeoutMs = 30_000) {
      if (!running()) return exited;
      child.kill('SIGINT');
      const killer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
    async kill(signal = 'SIGKILL') {
      if (running()) child.kill(signal);
      return exited;
    },
    nextLog,
  };
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The last log lines of a service, for a failure message. */
export function tail(logs: readonly string[]): string {
  return logs.slice(-30).join('\n');
}
