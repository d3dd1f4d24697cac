import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { findChildPid, sampleProcess } from './load/process-stats.ts';

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
  const pid = await findChildPid(command);
  return pid === undefined ? undefined : (await sampleProcess(pid))?.rssBytes;
}
