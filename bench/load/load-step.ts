import { type LossReport, lossReport } from './loss-report.ts';
import { type ProcessSample, sampleProcess } from './process-stats.ts';
import type { QueryableProbe } from './queryable-probe.ts';
import type { StoredCounts } from './stored-counts.ts';
import { sumCounts } from './stored-counts.ts';
import type { ThreadedFleet } from './threaded-fleet.ts';
import { waitStored } from './wait-stored.ts';

/** What a load step runs against: the processes to watch and how to count what they stored. */
export interface LoadTarget {
  readonly name: string;
  /** Processes to measure (CPU, peak RSS), by name; looked up at each step (a restart changes pids). */
  processes(): Promise<ReadonlyArray<{ readonly name: string; readonly pid: number }>>;
  /** Stored (or, for the baseline, received) QoS 1 messages per device, cumulative. */
  countStored(): Promise<StoredCounts>;
  /** Publish→queryable sampling; absent for the baseline (nothing is queryable). */
  readonly probe?: QueryableProbe;
}

export interface ProcessFigures {
  readonly name: string;
  /** CPU ms (user + system) per 1,000 messages offered in the step, drain included. */
  readonly cpuMsPer1k: number;
  readonly peakRssBytes: number;
}

export interface StepFigures {
  readonly targetRate: number;
  readonly offeredRate: number;
  readonly offered: number;
  /** Messages the pacer could not send in time (the generator was starved). */
  readonly skipped: number;
  readonly acked: number;
  readonly ackedRate: number;
  /** QoS 1 messages still unacknowledged when the step gave up waiting. */
  readonly unsettled: number;
  readonly stored: number;
  /** Acknowledged messages of this step missing from the store. */
  readonly lost: number;
  readonly storedRate: number;
  /** From the end of the load to the last growth of the stored count. */
  readonly drainMs: number;
  readonly latenciesMs: readonly number[];
  /** publish() → PUBACK of every QoS 1 message of the step, as devices waited. */
  readonly ackLatenciesMs: readonly number[];
  readonly processes: readonly ProcessFigures[];
  /** Cumulative loss report after the step (per device). */
  readonly report: LossReport;
}

export interface StepOptions {
  readonly rate: number;
  readonly durationMs: number;
  readonly qos0Share: number;
  /** Loss report of the previous step (its lost count is subtracted), if any. */
  readonly previous?: LossReport;
  readonly settleTimeoutMs?: number;
  readonly drainTimeoutMs?: number;
}

/**
 * One step: publish at a rate, wait for every PUBACK and for the store to drain, and measure
 * each process's CPU from /proc (drain included, so work deferred past the load is counted).
 */
export async function runLoadStep(
  fleet: ThreadedFleet,
  target: LoadTarget,
  options: StepOptions,
): Promise<StepFigures> {
  const processes = [...(await target.processes()), { name: 'load generator', pid: process.pid }];
  const before = await sampleAll(processes);
  const totalsBefore = await fleet.totals();
  const storedBefore = sumCounts(await target.countStored());
  await fleet.takeAckLatencies();

  const published = await fleet.publishAtRate({
    rate: options.rate,
    durationMs: options.durationMs,
    qos0Share: options.qos0Share,
    sampleEveryMs: target.probe === undefined ? 0 : 1000,
    ...(target.probe === undefined ? {} : { onSample: target.probe.add }),
  });
  const loadStoppedAt = performance.now();
  const unsettled = await fleet.settle(options.settleTimeoutMs ?? 60_000);
  const settledAt = performance.now();
  const ackLatenciesMs = await fleet.takeAckLatencies();
  const totals = await fleet.totals();
  const previousLost = options.previous?.lost ?? 0;
  const drained = await waitStored({
    count: () => target.countStored(),
    target: totals.acked - previousLost,
    timeoutMs: options.drainTimeoutMs ?? 60_000,
  });
  const after = await sampleAll(processes);

  const acked = totals.acked - totalsBefore.acked;
  const stored = drained.stored - storedBefore;
  const report = lossReport(await fleet.tallies(), drained.counts);
  const drainEnd = Math.max(drained.lastGrowthAt, loadStoppedAt);
  const messages = published.published;
  return {
    targetRate: options.rate,
    offeredRate: published.offeredRate,
    offered: messages,
    skipped: published.skipped,
    acked,
    ackedRate: acked / ((settledAt - published.startedAt) / 1000),
    unsettled,
    stored,
    lost: report.lost - previousLost,
    storedRate: stored / ((drainEnd - published.startedAt) / 1000),
    drainMs: drainEnd - loadStoppedAt,
    latenciesMs: target.probe?.take() ?? [],
    ackLatenciesMs,
    processes: processes.map(({ name }, i) => ({
      name,
      cpuMsPer1k: cpuDelta(before[i], after[i]) / (messages / 1000),
      peakRssBytes: after[i]?.peakRssBytes ?? Number.NaN,
    })),
    report,
  };
}

function sampleAll(
  processes: ReadonlyArray<{ readonly pid: number }>,
): Promise<Array<ProcessSample | undefined>> {
  return Promise.all(processes.map(({ pid }) => sampleProcess(pid)));
}

function cpuDelta(before: ProcessSample | undefined, after: ProcessSample | undefined): number {
  return before === undefined || after === undefined ? Number.NaN : after.cpuMs - before.cpuMs;
}
