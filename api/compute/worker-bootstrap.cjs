// Loads a TypeScript worker module: tsx's loader is registered in this worker first (the loader
// `tsx` gives the main thread does not reach worker threads, and vitest or plain node have none).
const { workerData } = require('node:worker_threads');

async function start() {
  const { register } = await import('tsx/esm/api');
  register();
  await import(workerData.entry);
}

start().catch((error) => {
  process.nextTick(() => {
    throw error;
  });
});
