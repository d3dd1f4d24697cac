import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `npm run api` as a real process: env config, embedded store under DATA_DIR, listen, clean stop. */
let dir: string;
let child: ChildProcess;
const logs: Array<Record<string, unknown>> = [];
let apiUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ucap-api-main-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    API_PORT: '0',
    BIND_HOST: '127.0.0.1',
    DATA_DIR: dir,
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
  };
  child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  apiUrl = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`api exited with ${code}: ${stderr.join('')}`)));
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (typeof entry.api === 'string') resolve(entry.api);
    });
  });
});

afterAll(async () => {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  await rm(dir, { recursive: true, force: true });
});

describe('npm run api', () => {
  it('announces the API and docs URLs on loopback and serves them', async () => {
    expect(apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(logs.find((l) => l.api === apiUrl)).toMatchObject({
      docs: `${apiUrl}/docs`,
      store: `embedded DuckDB ${join(dir, 'ucap.duckdb')}`,
    });
    const cities = await fetch(`${apiUrl}/v1/cities`);
    expect(cities.status).toBe(200);
    expect(((await cities.json()) as { cities: Array<{ id: string }> }).cities.map((c) => c.id)).toEqual([
      'nice',
      'zhengzhou',
    ]);
    expect((await fetch(`${apiUrl}/docs`)).status).toBe(200);
    expect((await fetch(`${apiUrl}/readyz`)).status).toBe(200);
  });

  it('runs the air-quality calculations in its worker threads (TypeScript loaded there too)', async () => {
    const exceedances = await fetch(`${apiUrl}/v1/exceedances?city=nice&standard=eu2008&year=2026`);
    expect(exceedances.status).toBe(200);
    expect(((await exceedances.json()) as { limits: unknown[] }).limits.length).toBeGreaterThan(0);
    expect((await fetch(`${apiUrl}/v1/aqi?city=nice&standard=eaqi`)).status).toBe(200);
  });

  it('stops cleanly on SIGTERM', async () => {
    // 'close' (not 'exit') so the last log lines have been read too.
    const exited = once(child, 'close');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(logs.some((l) => l.msg === 'stopped cleanly')).toBe(true);
  });
});
