import { parentPort } from 'node:worker_threads';
import { isUcapError } from '../../domain/errors.ts';
import { AIR_QUALITY_TASKS, type TaskAnswer, type TaskRequest } from './air-quality-tasks.ts';

// One task at a time: the pool sends the next one only after this answer.
parentPort?.on('message', (request: TaskRequest) => {
  let answer: TaskAnswer;
  try {
    const run = AIR_QUALITY_TASKS[request.task] as (input: unknown) => unknown;
    answer = { id: request.id, ok: true, value: run(request.input) };
  } catch (error) {
    answer = isUcapError(error)
      ? { id: request.id, ok: false, code: error.code, message: error.message }
      : { id: request.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(answer);
});
