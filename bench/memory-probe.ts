import { readdir, readFile } from 'node:fs/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface RssWindow {
  readonly startBytes: number;
  readonly endBytes: number;
  readonly peakBytes: number;
}

// `npm run bench` is plain `tsx` (no --expose-gc): enabling the flag at run time lets a benchmark
// start from a collected heap, so garbage left by the previous benchmark does not show as growth.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * Samples this process's resident set size while a benchmark runs. Sampling on a timer misses
 * peaks shorter than the interval and sees nothing while the event loop is blocked, so `stop()`
 * takes one last sample: the peak is a lower bound, good enough for spotting growth.
 */
export function watchRss(intervalMs = 20): { stop(): RssWindow } {
  collectGarbage();
  const startBytes = process.memoryUsage.rss();
  let peakBytes = startBytes;
  const timer = setInterval(() => {
    peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      const endBytes = process.memoryUsage.rss();
      return { startBytes, endBytes, peakBytes: Math.max(peakBytes, endBytes) };
    },
  };
}

/**
 * Resident set size of this process's child named `command` (e.g. the influxd the bench started),
 * read from /proc; undefined when there is no such child or no /proc (not Linux).
 */
export async function childRssBytes(command: string): Promise<number | undefined> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return undefined;
  }
  for (const pid of entries.filter((entry) => /^\d+$/.test(entry))) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // "pid (comm) state ppid …": comm may hold spaces, so split after its closing parenthesis.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    if (comm !== command || ppid !== process.pid) continue;
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const kib = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  }
  return undefined;
}
