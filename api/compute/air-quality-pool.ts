import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type {
  AssessExceedancesInput,
  ExceedanceReport,
  IndexPoint,
  IndexSeriesInput,
} from '../../domain/air-quality/index.ts';
import { ERROR_CODES, type ErrorCode, UcapError } from '../../domain/errors.ts';
import type { TaskAnswer, TaskName } from './air-quality-tasks.ts';

/** The air-quality calculations, off the event loop; each call can be cancelled. */
export interface AirQualityCompute {
  indexSeries(input: IndexSeriesInput, signal?: AbortSignal): Promise<IndexPoint[]>;
  exceedances(input: AssessExceedancesInput, signal?: AbortSignal): Promise<ExceedanceReport>;
  /** Worker threads running now (none until the first calculation, none again when idle). */
  readonly workers: number;
  close(): Promise<void>;
}

const BOOTSTRAP = fileURLToPath(new URL('./worker-bootstrap.cjs', import.meta.url));
const ENTRY = new URL('./air-quality-worker.ts', import.meta.url).href;

interface Job {
  readonly id: number;
  readonly task: TaskName;
  readonly input: unknown;
  readonly signal: AbortSignal | undefined;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Slot {
  /** Started on the first job, ended after IDLE_WORKER_MS without one. */
  worker: Worker | undefined;
  job: Job | undefined;
  idleTimer: NodeJS.Timeout | undefined;
}

/**
 * A worker thread is a whole V8 instance (~40 MB resident): it is started when a calculation
 * comes and ended after this long without one, so an API that serves only readings stays small.
 */
export const IDLE_WORKER_MS = 60_000;

/**
 * A fixed number of worker threads for the air-quality calculations: a year of hourly data for a
 * city takes the CPU for a second, which on the event loop would stall every other request (and,
 * in `npm start`, every device's PUBACK). A cancelled job's worker is terminated (the only way to
 * stop a synchronous calculation half-way) and the next job starts a fresh one.
 */
export function createAirQualityPool(threads: number, idleWorkerMs = IDLE_WORKER_MS): AirQualityCompute {
  const slots: Slot[] = Array.from({ length: threads }, () => ({
    worker: undefined,
    job: undefined,
    idleTimer: undefined,
  }));
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  const start = (slot: Slot): Worker => {
    const worker = new Worker(BOOTSTRAP, { workerData: { entry: ENTRY } });
    slot.worker = worker;
    worker.on('message', (answer: TaskAnswer) => finish(slot, answer));
    worker.on('error', (error) => fail(slot, worker, error));
    return worker;
  };

  const end = (slot: Slot): Promise<unknown> | undefined => {
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    const worker = slot.worker;
    slot.worker = undefined;
    return worker?.terminate();
  };

  const finish = (slot: Slot, answer: TaskAnswer): void => {
    const job = slot.job;
    if (job === undefined || job.id !== answer.id) return;
    slot.job = undefined;
    if (answer.ok) job.resolve(answer.value);
    else job.reject(toError(answer));
    pump();
  };

  const fail = (slot: Slot, worker: Worker, error: Error): void => {
    if (slot.worker !== worker) return;
    const job = slot.job;
    slot.job = undefined;
    void end(slot);
    job?.reject(new UcapError('API_INTERNAL', 'an air-quality worker failed', { cause: error }));
    pump();
  };

  const pump = (): void => {
    for (const slot of slots) {
      if (slot.job !== undefined) continue;
      const job = queue.shift();
      if (job === undefined) return;
      clearTimeout(slot.idleTimer);
      slot.idleTimer = undefined;
      const worker = slot.worker ?? start(slot);
      slot.job = job;
      worker.ref();
      worker.postMessage({ id: job.id, task: job.task, input: job.input });
    }
  };

  const cancel = (job: Job): void => {
    const waiting = queue.indexOf(job);
    if (waiting >= 0) queue.splice(waiting, 1);
    const slot = slots.find((s) => s.job === job);
    if (slot !== undefined) {
      slot.job = undefined;
      void end(slot);
    }
    job.reject(job.signal?.reason);
    pump();
  };

  const run = <T>(task: TaskName, input: unknown, signal?: AbortSignal): Promise<T> => {
    if (closed) return Promise.reject(new UcapError('API_INTERNAL', 'the air-quality pool is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => cancel(job);
      const job: Job = {
        id: nextId++,
        task,
        input,
        signal,
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          idle();
          resolve(value as T);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          idle();
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(job);
      pump();
    });
  };

  // Idle workers must not keep a process alive that has nothing else to do, nor stay resident.
  const idle = (): void => {
    for (const slot of slots) {
      if (slot.job !== undefined || slot.worker === undefined || slot.idleTimer !== undefined) continue;
      slot.worker.unref();
      slot.idleTimer = setTimeout(() => void end(slot), idleWorkerMs);
      slot.idleTimer.unref();
    }
  };

  return {
    indexSeries: (input, signal) => run<IndexPoint[]>('indexSeries', input, signal),
    exceedances: (input, signal) => run<ExceedanceReport>('exceedances', input, signal),
    get workers() {
      return slots.filter((slot) => slot.worker !== undefined).length;
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new UcapError('API_INTERNAL', 'the API is closing'));
      await Promise.all(slots.map((slot) => end(slot)));
    },
  };
}

function toError(answer: Extract<TaskAnswer, { ok: false }>): UcapError {
  const code: ErrorCode =
    answer.code !== undefined && answer.code in ERROR_CODES ? (answer.code as ErrorCode) : 'API_INTERNAL';
  return new UcapError(code, answer.message);
}
