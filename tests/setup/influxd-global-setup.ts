import type { TestProject } from 'vitest/node';
import { startInfluxd } from './influxd.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    influxUrl: string;
  }
}

/** One real InfluxDB 1.x server for the whole integration run; each test file uses its own database. */
export default async function setup(project: TestProject) {
  const influxd = await startInfluxd();
  project.provide('influxUrl', influxd.url);
  return async () => {
    await influxd.stop();
  };
}
