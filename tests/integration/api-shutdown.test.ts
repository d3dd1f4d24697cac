import { afterAll, describe, expect, it } from 'vitest';
import { type ApiFixture, startApiFixture } from './api-fixture.ts';

/** Closing the API lets requests already in flight finish, then returns without waiting on idle keep-alives. */
describe('API shutdown', () => {
  let fixture: ApiFixture | undefined;

  afterAll(async () => {
    await fixture?.close();
  });

  it('answers an in-flight request in full, then close() returns promptly', async () => {
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const checkStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const slowCheck = {
      name: 'slow-dependency',
      check: () =>
        new Promise<void>((resolve) => {
          release = resolve;
          started();
        }),
    };
    fixture = await startApiFixture({ readinessChecks: [slowCheck] });
    const base = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
    // fetch keeps connections alive: without `Connection: close` close() would wait 72 s for it.
    const inFlight = fetch(`${base}/readyz`);
    await checkStarted;

    const closed = fixture.app.close();
    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: [
        { name: 'store:duckdb', ok: true },
        { name: 'slow-dependency', ok: true },
      ],
    });
    const startedWaiting = Date.now();
    await closed;
    expect(Date.now() - startedWaiting).toBeLessThan(20_000); // far below the 72 s keep-alive timeout
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
