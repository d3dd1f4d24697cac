import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface WrkResult {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Answers that were not 2xx/3xx, and requests wrk gave up on (socket errors, timeouts). */
  readonly failed: number;
}

/** Whether `wrk` (Debian package `wrk`) is on the PATH: the API bench's load generator when it is. */
export function wrkAvailable(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk --version prints its banner and exits 1; only a missing binary throws ENOENT.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/**
 * Drives `url` with `connections` keep-alive clients for `durationMs` from a separate process, so
 * the load generator does not share the server's event loop (in-process fetch halves what a fast
 * route can serve).
 */
export async function runWrk(url: string, connections: number, durationMs: number): Promise<WrkResult> {
  const threads = Math.min(2, connections);
  const { stdout } = await run(
    'wrk',
    [
      `-t${threads}`,
      `-c${connections}`,
      `-d${Math.max(1, Math.round(durationMs / 1000))}s`,
      '--timeout',
      '60s',
      '--latency',
      url,
    ],
    { maxBuffer: 1 << 20 },
  );
  return parseWrkOutput(stdout);
}

/** Reads wrk's text report (wrk has no machine-readable output without a Lua script). */
export function parseWrkOutput(text: string): WrkResult {
  const number = (pattern: RegExp): number | undefined => {
    const match = pattern.exec(text);
    return match === null ? undefined : Number(match[1]);
  };
  const latencyMs = (label: string): number => {
    const match = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(text);
    if (match === null) throw new Error(`wrk output has no ${label}% latency:\n${text}`);
    const scale = { us: 0.001, ms: 1, s: 1000 }[match[2] as 'us' | 'ms' | 's'];
    return Number(match[1]) * scale;
  };
  const requests = number(/(\d+) requests in/);
  const perSecond = number(/Requests\/sec:\s+([\d.]+)/);
  if (requests === undefined || perSecond === undefined) throw new Error(`unexpected wrk output:\n${text}`);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const errors = socketErrors === null ? 0 : socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0);
  return {
    requests,
    perSecond,
    p50Ms: latencyMs('50'),
    p99Ms: latencyMs('99'),
    failed: (number(/Non-2xx or 3xx responses: (\d+)/) ?? 0) + errors,
  };
}
