import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isRetryable, UcapError } from '../../domain/errors.ts';
import { type BatchOptions, type BatchWriterMetrics, createBatchWriter } from '../../ingest/batch-writer.ts';
import { silentLogger } from '../../platform/logger.ts';

// The writer is generic over its write function; these tests hand it plain functions that record
// what they were asked to write (the real stores are exercised in tests/integration/ingest-*.test.ts).

interface Recorder extends BatchWriterMetrics {
  retries: number;
  backpressure: number;
  failedItems: number;
  lastBuffered: number;
  writeCount: number;
}

function recorder(): Recorder {
  const r: Recorder = {
    retries: 0,
    backpressure: 0,
    failedItems: 0,
    lastBuffered: 0,
    writeCount: 0,
    writeSeconds: () => {
      r.writeCount += 1;
    },
    retried: () => {
      r.retries += 1;
    },
    buffered: (n) => {
      r.lastBuffered = n;
    },
    backpressured: () => {
      r.backpressure += 1;
    },
    failed: (n) => {
      r.failedItems += n;
    },
  };
  return r;
}

function retryable(retryAfterMs?: number): UcapError {
  return new UcapError('STORE_UNAVAILABLE', 'store is down', {
    retryable: true,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

const permanent = () => new UcapError('STORE_WRITE_FAILED', 'store refuses this data');

function setup(write: (items: readonly number[]) => Promise<void>, batch: BatchOptions = {}) {
  const metrics = recorder();
  const writer = createBatchWriter<number>({
    name: 'test',
    write,
    batch: { batchSize: 3, flushIntervalMs: 1000, maxBufferedItems: 100, ...batch },
    logger: silentLogger(),
    metrics,
    random: () => 1,
  });
  return { writer, metrics };
}

/** Tracks whether a promise has settled, without awaiting it. */
function track(p: Promise<unknown>) {
  const state = { settled: false, ok: false, error: undefined as unknown };
  p.then(
    () => {
      state.settled = true;
      state.ok = true;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

describe('batch writer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a full batch at once, without waiting for the interval', async () => {
    const writes: number[][] = [];
    const { writer } = setup(async (items) => {
      writes.push([...items]);
    });
    const first = track(writer.add([1, 2]));
    const second = track(writer.add([3]));
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toEqual([[1, 2, 3]]);
    expect(first.ok && second.ok).toBe(true);
    expect(writer.buffered()).toBe(0);
  });

  it('writes a partial batch when the flush interval has passed, not before', async () => {
    const writes: number[][] = [];
    const { writer } = setup(async (items) => {
      writes.push([...items]);
    });
    const added = track(writer.add([7]));
    await vi.advanceTimersByTimeAsync(999);
    expect(writes).toEqual([]);
    expect(added.settled).toBe(false);
    expect(writer.buffered()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(writes).toEqual([[7]]);
    expect(added.ok).toBe(true);
  });

  /** A store whose writes stay in flight until the test releases them, one at a time. */
  function heldWrites() {
    const writes: number[][] = [];
    const releases: Array<() => void> = [];
    const write = (items: readonly number[]) =>
      new Promise<void>((resolve) => {
        writes.push([...items]);
        releases.push(resolve);
      });
    const releaseNext = () => releases.shift()?.();
    return { writes, write, releaseNext };
  }

  it('writes an entry that falls due between the timer callback checking it and re-arming', async () => {
    const writes: number[][] = [];
    const { writer } = setup(async (items) => {
      writes.push([...items]);
    });
    const added = track(writer.add([1]));
    await vi.advanceTimersByTimeAsync(999);
    // Node's timers can fire a little before performance.now() reaches the due time, and the clock
    // moves between the writer's two looks at it: first "not yet due", then "already due".
    const base = performance.now();
    const readings = [base + 0.9, base + 1.1];
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => readings.shift() ?? base + 1.2);
    try {
      await vi.advanceTimersByTimeAsync(1);
    } finally {
      clock.mockRestore();
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toEqual([[1]]);
    expect(added.ok).toBe(true);
  });

  it('after a timed write, later items still wait their own interval instead of following at once', async () => {
    const store = heldWrites();
    const { writer } = setup(store.write);
    void writer.add([1]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.writes).toEqual([[1]]);
    await vi.advanceTimersByTimeAsync(100);
    const late = track(writer.add([2]));
    await vi.advanceTimersByTimeAsync(400);
    store.releaseNext();
    // [2] has waited 400 ms of its 1000: finishing [1] must not drag it out as a one-item batch.
    await vi.advanceTimersByTimeAsync(599);
    expect(store.writes).toEqual([[1]]);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.writes).toEqual([[1], [2]]);
    store.releaseNext();
    await vi.advanceTimersByTimeAsync(0);
    expect(late.ok).toBe(true);
  });

  it('keeps accumulating while a write is in flight and then writes full batches', async () => {
    const store = heldWrites();
    const { writer } = setup(store.write);
    void writer.add([1]);
    await vi.advanceTimersByTimeAsync(1000);
    for (const n of [2, 3, 4, 5]) {
      void writer.add([n]);
      await vi.advanceTimersByTimeAsync(50);
    }
    store.releaseNext();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.writes).toEqual([[1], [2, 3, 4]]);
    store.releaseNext();
    await vi.advanceTimersByTimeAsync(0);
    // [5] arrived at 1150 ms: it goes out when it has waited its interval, at 2150 ms.
    expect(store.writes).toEqual([[1], [2, 3, 4]]);
    await vi.advanceTimersByTimeAsync(950);
    expect(store.writes).toEqual([[1], [2, 3, 4], [5]]);
    store.releaseNext();
  });

  it('splits a large backlog into batches of at most batchSize items', async () => {
    const writes: number[][] = [];
    const { writer } = setup(async (items) => {
      writes.push([...items]);
    });
    await Promise.all([writer.add([1, 2]), writer.add([3, 4]), writer.add([5]), writer.flush()]);
    expect(writes.flat()).toEqual([1, 2, 3, 4, 5]);
    for (const w of writes) expect(w.length).toBeLessThanOrEqual(3);
  });

  it('retries a retryable failure with growing backoff, then resolves the caller', async () => {
    const attempts: number[] = [];
    let failures = 2;
    const { writer, metrics } = setup(async () => {
      attempts.push(Date.now());
      if (failures-- > 0) throw retryable();
    });
    const start = Date.now();
    const added = track(writer.add([1, 2, 3]));
    await vi.advanceTimersByTimeAsync(199);
    expect(attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toHaveLength(2);
    // Second retry waits twice as long (random() = 1 gives the full step).
    await vi.advanceTimersByTimeAsync(399);
    expect(attempts).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts.map((t) => t - start)).toEqual([0, 200, 600]);
    expect(added.ok).toBe(true);
    expect(metrics.retries).toBe(2);
  });

  it("honours the store's retryAfter when it asks for a longer wait", async () => {
    let calls = 0;
    const { writer } = setup(async () => {
      calls += 1;
      if (calls === 1) throw retryable(5000);
    });
    const added = track(writer.add([1, 2, 3]));
    await vi.advanceTimersByTimeAsync(4999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    expect(added.ok).toBe(true);
  });

  it('does not retry a permanent failure: the caller is rejected and the items are counted', async () => {
    let calls = 0;
    const { writer, metrics } = setup(async () => {
      calls += 1;
      throw permanent();
    });
    const added = track(writer.add([1, 2, 3]));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(1);
    expect(added.settled && !added.ok).toBe(true);
    expect(isRetryable(added.error)).toBe(false);
    expect(metrics.failedItems).toBe(3);
    expect(metrics.retries).toBe(0);
    expect(writer.buffered()).toBe(0);
  });

  it('on a permanent failure rejects only the caller whose items the store refuses', async () => {
    const stored: number[] = [];
    const { writer, metrics } = setup(async (items) => {
      if (items.includes(666)) throw permanent();
      stored.push(...items);
    });
    const good = track(writer.add([1]));
    const bad = track(writer.add([666]));
    const alsoGood = track(writer.add([2]));
    await vi.advanceTimersByTimeAsync(0);
    expect(good.ok && alsoGood.ok).toBe(true);
    expect(bad.settled && !bad.ok).toBe(true);
    expect(stored).toEqual([1, 2]);
    expect(metrics.failedItems).toBe(1);
  });

  it('applies backpressure when the buffer is full and counts it', async () => {
    let release!: () => void;
    const writes: number[][] = [];
    const { writer, metrics } = setup(
      (items) => {
        writes.push([...items]);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      { batchSize: 3, maxBufferedItems: 4 },
    );
    const first = track(writer.add([1, 2, 3])); // written at once, the write hangs
    await vi.advanceTimersByTimeAsync(0);
    const admitted = track(writer.enqueue([4, 5]));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(admitted.settled).toBe(false);
    expect(metrics.backpressure).toBe(1);
    expect(writer.buffered()).toBe(3);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(first.ok).toBe(true);
    expect(admitted.ok).toBe(true);
    expect(writer.buffered()).toBe(2);
  });

  it('flush() writes what is buffered without waiting for the interval', async () => {
    const writes: number[][] = [];
    const { writer } = setup(async (items) => {
      writes.push([...items]);
    });
    const added = track(writer.add([9]));
    await writer.flush();
    expect(writes).toEqual([[9]]);
    expect(added.ok).toBe(true);
  });

  it('close() drains everything in flight and refuses later adds (retryable: not acknowledged)', async () => {
    const writes: number[][] = [];
    const { writer } = setup(async (items) => {
      writes.push([...items]);
    });
    const a = track(writer.add([1]));
    const b = track(writer.add([2]));
    await writer.close();
    expect(writes.flat()).toEqual([1, 2]);
    expect(a.ok && b.ok).toBe(true);
    const late = track(writer.add([3]));
    await vi.advanceTimersByTimeAsync(0);
    expect(late.settled && !late.ok).toBe(true);
    expect(isRetryable(late.error)).toBe(true);
  });

  it('close() gives up after its timeout while the store keeps failing, rejecting callers as retryable', async () => {
    let calls = 0;
    const { writer } = setup(async () => {
      calls += 1;
      throw retryable();
    });
    const added = track(writer.add([1]));
    const closed = track(writer.close(5000));
    await vi.advanceTimersByTimeAsync(4999);
    expect(closed.settled).toBe(false);
    expect(added.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(closed.ok).toBe(true);
    expect(added.settled && !added.ok).toBe(true);
    expect(isRetryable(added.error)).toBe(true);
    const callsAtClose = calls;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(callsAtClose);
  });
});
