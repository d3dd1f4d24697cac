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
  worker: Worker;
  job: Job | undefined;
}

/**
 * A fixed set of worker threads for the air-quality calculations: a year of hourly data for a
 * city takes the CPU for a second, which on the event loop would stall every other request (and,
 * in `npm start`, every device's PUBACK). A cancelled job's worker is terminated and replaced:
 * the only way to stop a synchronous calculation half-way.
 */
export function createAirQualityPool(threads: number): AirQualityCompute {
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  const spawn = (slot?: Slot): Slot => {
    const worker = new Worker(BOOTSTRAP, { workerData: { entry: ENTRY } });
    worker.unref();
    const target = slot ?? { worker, job: undefined };
    target.worker = worker;
    worker.on('message', (answer: TaskAnswer) => finish(target, answer));
    worker.on('error', (error) => fail(target, error));
    return target;
  };

  const finish = (slot: Slot, answer: TaskAnswer): void => {
    const job = slot.job;
    if (job === undefined || job.id !== answer.id) return;
    slot.job = undefined;
    if (answer.ok) job.resolve(answer.value);
    else job.reject(toError(answer));
    pump();
  };

  const fail = (slot: Slot, error: Error): void => {
    const job = slot.job;
    slot.job = undefined;
    job?.reject(new UcapError('API_INTERNAL', 'an air-quality worker failed', { cause: error }));
    if (!closed) spawn(slot);
    pump();
  };

  const pump = (): void => {
    for (const slot of slots) {
      if (slot.job !== undefined) continue;
      const job = queue.shift();
      if (job === undefined) return;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, task: job.task, input: job.input });
    }
  };

  const cancel = (job: Job): void => {
    const waiting = queue.indexOf(job);
    if (waiting >= 0) queue.splice(waiting, 1);
    const slot = slots.find((s) => s.job === job);
    if (slot !== undefined) {
      slot.job = undefined;
      void slot.worker.terminate();
      spawn(slot);
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

  // Idle workers must not keep a process alive that has nothing else to do.
  const idle = (): void => {
    for (const slot of slots) if (slot.job === undefined) slot.worker.unref();
  };

  for (let i = 0; i < threads; i += 1) slots.push(spawn());

  return {
    indexSeries: (input, signal) => run<IndexPoint[]>('indexSeries', input, signal),
    exceedances: (input, signal) => run<ExceedanceReport>('exceedances', input, signal),
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new UcapError('API_INTERNAL', 'the API is closing'));
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}

function toError(answer: Extract<TaskAnswer, { ok: false }>): UcapError {
  const code: ErrorCode =
    answer.code !== undefined && answer.code in ERROR_CODES ? (answer.code as ErrorCode) : 'API_INTERNAL';
  return new UcapError(code, answer.message);
}
