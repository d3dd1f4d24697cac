// Loads a TypeScript worker module. Under `tsx` the worker inherits its loader through execArgv;
// elsewhere (vitest, plain node) tsx's loader is registered in the worker first.
const { workerData } = require('node:worker_threads');

async function start() {
  if (!process.execArgv.some((arg) => arg.includes('tsx'))) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  await import(workerData.entry);
}

start().catch((error) => {
  process.nextTick(() => {
    throw error;
  });
});
