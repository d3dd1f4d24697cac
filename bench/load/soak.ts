import { formatCount, formatMiB, renderTable } from '../bench-format.ts';
import type { LoadTarget } from './load-step.ts';
import { describeLosses, lossReport } from './loss-report.ts';
import { sampleProcess } from './process-stats.ts';
import { sumCounts } from './stored-counts.ts';
import type { ThreadedFleet } from './threaded-fleet.ts';
import { waitStored } from './wait-stored.ts';

/** RSS may move this much (either way) from its value at the end of the warm-up. */
export const SOAK_RSS_TOLERANCE = 0.1;

export interface SoakOptions {
  readonly minutes: number;
  readonly rate: number;
  readonly warmupMinutes: number;
}

/**
 * One rate for many minutes, the resident memory of every process printed each minute. Fails
 * when a process's RSS leaves ±10 % of its value at the end of the warm-up, or a reading is lost.
 */
export async function runSoak(
  fleet: ThreadedFleet,
  target: LoadTarget,
  options: SoakOptions,
  qos0Share: number,
): Promise<boolean> {
  const processes = await target.processes();
  const baseline = new Map<string, number>();
  const rows: string[][] = [];
  const drifts: string[] = [];
  for (let minute = 1; minute <= options.minutes; minute++) {
    const outcome = await fleet.publishAtRate({ rate: options.rate, durationMs: 60_000, qos0Share });
    const totals = await fleet.totals();
    const stored = sumCounts(await target.countStored());
    const cells: string[] = [];
    const memory: string[] = [];
    for (const { name, pid } of processes) {
      const rss = (await sampleProcess(pid))?.rssBytes ?? Number.NaN;
      if (minute === Math.max(1, options.warmupMinutes)) baseline.set(name, rss);
      const base = baseline.get(name);
      const drift = base === undefined ? Number.NaN : rss / base - 1;
      if (minute > options.warmupMinutes && Math.abs(drift) > SOAK_RSS_TOLERANCE) {
        drifts.push(
          `minute ${minute}: ${name} RSS ${formatMiB(rss)} MiB is ${(drift * 100).toFixed(1)} % from ${formatMiB(base ?? Number.NaN)} MiB`,
        );
      }
      const driftText = Number.isFinite(drift) ? `${(drift * 100).toFixed(1)} %` : '–';
      cells.push(formatMiB(rss), driftText);
      memory.push(`${name} RSS ${formatMiB(rss)} MiB (${driftText})`);
    }
    const row = [
      String(minute),
      formatCount(outcome.offeredRate),
      formatCount(totals.acked),
      formatCount(stored),
      ...cells,
    ];
    rows.push(row);
    console.log(
      `   minute ${minute}/${options.minutes}: offered ${row[1]}/s, ${row[2]} PUBACKed, ${row[3]} stored; ${memory.join(', ')}`,
    );
  }
  const totals = await fleet.totals();
  await fleet.settle(60_000);
  const drained = await waitStored({ count: () => target.countStored(), target: totals.acked });
  const report = lossReport(await fleet.tallies(), drained.counts);
  console.log(
    `\n${renderTable({
      title: `Soak: ${target.name}, ${formatCount(options.rate)} msgs/s for ${options.minutes} min (warm-up ${options.warmupMinutes} min)`,
      columns: [
        'minute',
        'offered/s',
        'PUBACKed',
        'stored',
        ...processes.flatMap(({ name }) => [`${name} RSS MiB`, `${name} drift`]),
      ],
      rows,
      textColumns: 0,
      notes: [
        `RSS must stay within ±${SOAK_RSS_TOLERANCE * 100} % of its value at the end of the warm-up`,
        `after the load: ${formatCount(report.acked)} acknowledged, ${formatCount(report.stored)} stored, ${formatCount(report.lost)} lost`,
        ...describeLosses(report, 10),
        ...drifts,
      ],
    })}`,
  );
  return report.lost === 0 && report.unexpected === 0 && drifts.length === 0;
}
