import { Worker } from 'node:worker_threads';
import type { DeviceTally, FleetConnectOptions, FleetTotals, PublishOutcome } from './device-fleet.ts';
import type {
  FleetCommand,
  FleetReply,
  FleetRequest,
  PublishSample,
  TallySnapshot,
} from './fleet-protocol.ts';
import { SeqSet } from './seq-set.ts';

/**
 * A DeviceFleet spread over worker threads, for rates one event loop cannot offer on a busy
 * 2-core machine (one thread tops out around 7,000 msgs/s there). Devices are dealt to threads
 * round-robin and each thread publishes its share of the rate.
 */
export interface ThreadedPublishRun {
  readonly rate: number;
  readonly durationMs: number;
  readonly qos0Share?: number;
  /** Sample one QoS 1 message per device this often (0: none) and hand it to onSample. */
  readonly sampleEveryMs?: number;
  readonly onSample?: (sample: PublishSample) => void;
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

interface FleetThread {
  readonly worker: Worker;
  readonly devices: number;
  readonly pending: Map<number, Pending>;
}

const WORKER_URL = new URL('./fleet-worker.ts', import.meta.url);
// A worker thread does not inherit the TypeScript loader tsx registered in the main thread:
// a small bootstrap registers it in the worker before importing the worker module.
const WORKER_BOOTSTRAP = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;

export class ThreadedFleet {
  readonly firstTs: number;
  readonly size: number;
  readonly #threads: FleetThread[];
  #nextId = 0;
  #onSample: ((sample: PublishSample) => void) | undefined;

  private constructor(threads: FleetThread[], firstTs: number, size: number) {
    this.#threads = threads;
    this.firstTs = firstTs;
    this.size = size;
  }

  static async connect(options: FleetConnectOptions & { readonly threads: number }): Promise<ThreadedFleet> {
    const firstTs = options.firstTs ?? Math.floor(Date.now() / 1000) * 1000;
    const count = Math.max(1, Math.min(options.threads, options.devices.length));
    const shares = Array.from({ length: count }, (_, t) => options.devices.filter((_, i) => i % count === t));
    const threads: FleetThread[] = [];
    const fleet = new ThreadedFleet(threads, firstTs, options.devices.length);
    const started = shares.map(async (devices) => {
      const { threads: _threads, ...connect } = options;
      const worker = new Worker(WORKER_BOOTSTRAP, {
        eval: true,
        workerData: { connect: { ...connect, devices, firstTs } },
      });
      const thread: FleetThread = { worker, devices: devices.length, pending: new Map() };
      threads.push(thread);
      await new Promise<void>((resolve, reject) => {
        worker.on('message', (message: FleetReply) => {
          if (message.kind === 'ready') resolve();
          else if (message.kind === 'failed') reject(new Error(message.message));
          else fleet.#onReply(thread, message);
        });
        worker.once('error', reject);
        worker.once('exit', (code) => {
          reject(new Error(`fleet worker exited with ${code}`));
          for (const pending of thread.pending.values())
            pending.reject(new Error(`fleet worker exited with ${code}`));
        });
      });
    });
    const outcomes = await Promise.allSettled(started);
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure !== undefined) {
      await fleet.close();
      throw failure.reason;
    }
    return fleet;
  }

  #onReply(thread: FleetThread, message: FleetReply): void {
    if (message.kind === 'samples') {
      for (const sample of message.samples) this.#onSample?.(sample);
      return;
    }
    if (message.kind !== 'result' && message.kind !== 'error') return;
    const pending = thread.pending.get(message.id);
    thread.pending.delete(message.id);
    if (message.kind === 'result') pending?.resolve(message.result);
    else pending?.reject(new Error(message.message));
  }

  #ask<T>(thread: FleetThread, command: FleetCommand): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      thread.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      const request: FleetRequest = { ...command, id };
      thread.worker.postMessage(request);
    });
  }

  async publishAtRate(run: ThreadedPublishRun): Promise<PublishOutcome> {
    this.#onSample = run.onSample;
    const outcomes = await Promise.all(
      this.#threads.map((thread) =>
        this.#ask<PublishOutcome>(thread, {
          op: 'publish',
          rate: (run.rate * thread.devices) / this.size,
          durationMs: run.durationMs,
          qos0Share: run.qos0Share ?? 0,
          sampleEveryMs: run.sampleEveryMs ?? 0,
        }),
      ),
    );
    this.#onSample = undefined;
    const published = outcomes.reduce((sum, o) => sum + o.published, 0);
    const skipped = outcomes.reduce((sum, o) => sum + o.skipped, 0);
    // Thread clocks differ (performance.timeOrigin): durations only.
    const seconds = Math.max(run.durationMs, ...outcomes.map((o) => o.endedAt - o.startedAt)) / 1000;
    const endedAt = performance.now();
    return {
      published,
      skipped,
      startedAt: endedAt - seconds * 1000,
      endedAt,
      offeredRate: published / seconds,
    };
  }

  async settle(timeoutMs: number): Promise<number> {
    const left = await Promise.all(
      this.#threads.map((t) => this.#ask<number>(t, { op: 'settle', timeoutMs })),
    );
    return left.reduce((sum, n) => sum + n, 0);
  }

  async totals(): Promise<FleetTotals> {
    const all = await Promise.all(this.#threads.map((t) => this.#ask<FleetTotals>(t, { op: 'totals' })));
    const sum = (key: keyof FleetTotals) => all.reduce((total, t) => total + t[key], 0);
    return {
      devices: sum('devices'),
      sentQos1: sum('sentQos1'),
      sentQos0: sum('sentQos0'),
      acked: sum('acked'),
      failed: sum('failed'),
      inFlight: sum('inFlight'),
      connected: sum('connected'),
      disconnects: sum('disconnects'),
    };
  }

  async tallies(): Promise<DeviceTally[]> {
    const all = await Promise.all(this.#threads.map((t) => this.#ask<TallySnapshot[]>(t, { op: 'tallies' })));
    return all
      .flat()
      .map(({ ackedRuns, ...tally }) => ({ ...tally, ackedSeqs: SeqSet.fromRuns(ackedRuns), qos0Credit: 0 }));
  }

  /** publish() → PUBACK latencies (ms) of every thread since the last call. */
  async takeAckLatencies(): Promise<number[]> {
    const all = await Promise.all(
      this.#threads.map((t) => this.#ask<Float64Array>(t, { op: 'ackLatencies' })),
    );
    return all.flatMap((latencies) => Array.from(latencies));
  }

  async close(): Promise<void> {
    await Promise.all(
      this.#threads.map(async (thread) => {
        await this.#ask(thread, { op: 'close' }).catch(() => undefined);
        await thread.worker.terminate();
      }),
    );
  }
}
