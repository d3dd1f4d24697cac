import { describe, expect, it } from 'vitest';
import { UcapError } from '../../domain/errors.ts';
import { OperationGate, readThreadsLeftForWrites } from '../../store/duckdb/operation-gate.ts';

/** An operation that runs until released, recording that it started. */
function held(started: string[], name: string) {
  let release: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    release: () => release(),
    run: async () => {
      started.push(name);
      await done;
      return name;
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const closed = () => new UcapError('STORE_UNAVAILABLE', 'closed');

describe('embedded store operation gate', () => {
  it('keeps long reads from taking every threadpool thread: a write and a probe start at once', async () => {
    const gate = new OperationGate(closed, 2);
    const started: string[] = [];
    const reads = ['r1', 'r2', 'r3', 'r4'].map((name) => held(started, name));
    const results = reads.map((r) => gate.read(r.run));
    const write = held(started, 'write');
    const written = gate.write(write.run);
    const probed = gate.probe(async () => 'probe');
    await tick();
    expect(started).toEqual(['r1', 'r2', 'write']);
    expect(await probed).toBe('probe');

    write.release();
    expect(await written).toBe('write');
    reads[0]?.release();
    await results[0];
    await tick();
    // The freed slot goes to the next read in call order.
    expect(started).toEqual(['r1', 'r2', 'write', 'r3']);
    for (const r of reads) r.release();
    expect(await Promise.all(results)).toEqual(['r1', 'r2', 'r3', 'r4']);
  });

  it('frees the slot of a read that failed', async () => {
    const gate = new OperationGate(closed, 1);
    await expect(gate.read(() => Promise.reject(new Error('interrupted')))).rejects.toThrow('interrupted');
    expect(await gate.read(async () => 'next')).toBe('next');
  });

  it('leaves two threadpool threads to writes, files and logins', () => {
    expect(readThreadsLeftForWrites(4)).toBe(2);
    expect(readThreadsLeftForWrites(16)).toBe(14);
    expect(readThreadsLeftForWrites(2)).toBe(1);
  });
});
