import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * CPU time and memory of a process, read from Linux's /proc. utime and stime in /proc/<pid>/stat
 * are in USER_HZ ticks, which the kernel fixes at 100 per second for user space (proc(5)).
 */
const MS_PER_TICK = 10;

export interface ProcessSample {
  /** User + system CPU time used so far, in ms. */
  readonly cpuMs: number;
  /** Resident set size now (VmRSS). */
  readonly rssBytes: number;
  /** The part of it mapped from files (RssFile): the code of node and of native libraries. */
  readonly rssFileBytes: number;
  /** Peak resident set size since the process started (VmHWM). */
  readonly peakRssBytes: number;
}

/** undefined when the process is gone or there is no /proc (not Linux). */
export async function sampleProcess(pid: number): Promise<ProcessSample | undefined> {
  const [stat, status] = await Promise.all([
    readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined),
    readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined),
  ]);
  if (stat === undefined || status === undefined) return undefined;
  // "pid (comm) state ppid …": comm may hold spaces, so count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of the line (utime, stime) are 12 and 13 after "state" (field 3).
  const ticks = Number(fields[11]) + Number(fields[12]);
  return {
    cpuMs: ticks * MS_PER_TICK,
    rssBytes: statusKib(status, 'VmRSS') * 1024,
    rssFileBytes: statusKib(status, 'RssFile') * 1024,
    peakRssBytes: statusKib(status, 'VmHWM') * 1024,
  };
}

/** CPU time process `pid` has used so far, in ms; undefined without a pid, or when it cannot be read. */
export async function processCpuMs(pid: number | undefined): Promise<number | undefined> {
  return pid === undefined ? undefined : (await sampleProcess(pid))?.cpuMs;
}

function statusKib(status: string, field: string): number {
  const kib = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  return kib === undefined ? Number.NaN : Number(kib);
}

/** Pid of this process's child whose command name is `command` (e.g. "influxd"), if any. */
export async function findChildPid(command: string): Promise<number | undefined> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return undefined;
  }
  for (const pid of entries.filter((entry) => /^\d+$/.test(entry))) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    if (comm === command && ppid === process.pid) return Number(pid);
  }
  return undefined;
}

/** The peak resident set size of process `pid`, sampled from /proc until stop(). */
export function watchProcessRss(pid: number, intervalMs = 50): { stop(): Promise<number> } {
  let peakBytes = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const sample = await sampleProcess(pid);
      if (sample !== undefined) peakBytes = Math.max(peakBytes, sample.rssBytes);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      sampling = false;
      await sampler;
      return peakBytes;
    },
  };
}

/**
 * The RSS of process `pid` now (`first`) and once it has stopped shrinking (`settled`): sampled every `intervalMs` until the last
 * `samples` readings lie within `toleranceBytes`, or `maxMs` has passed. A process that has just
 * started still holds what start-up allocated (a store's first scans, freed memory the allocator
 * and V8 return only after some seconds), so "idle right after start" overstates what it holds.
 * The API under tsx holds its start-up RSS for ~15 s and sheds it in steps over ~35 s, hence a
 * window of 20 one-second samples rather than a shorter one that a plateau would satisfy.
 */
export async function settledRss(
  pid: number,
  { intervalMs = 1000, samples = 20, toleranceBytes = 2 * 2 ** 20, maxMs = 90_000 } = {},
): Promise<{ first: ProcessSample | undefined; settled: ProcessSample | undefined; afterMs: number }> {
  const started = performance.now();
  const first = await sampleProcess(pid);
  const recent: number[] = [];
  let sample = first;
  while (sample !== undefined && performance.now() - started < maxMs) {
    recent.push(sample.rssBytes);
    if (recent.length > samples) recent.shift();
    if (recent.length === samples && Math.max(...recent) - Math.min(...recent) <= toleranceBytes) break;
    await delay(intervalMs);
    sample = await sampleProcess(pid);
  }
  return { first, settled: sample, afterMs: performance.now() - started };
}
