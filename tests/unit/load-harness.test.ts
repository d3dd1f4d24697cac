import { describe, expect, it } from 'vitest';
import type { DeviceTally } from '../../bench/load/device-fleet.ts';
import { parseLoadArgs } from '../../bench/load/load-args.ts';
import { describeLosses, lossReport } from '../../bench/load/loss-report.ts';
import { mapBounded } from '../../bench/load/map-bounded.ts';
import { SeqSet } from '../../bench/load/seq-set.ts';
import { isUcapError } from '../../domain/errors.ts';

function tally(id: string, sentQos1: number, ackedSeqs: readonly number[], failed = 0): DeviceTally {
  const set = new SeqSet();
  for (const seq of ackedSeqs) set.add(seq);
  return {
    id,
    city: 'nice',
    sentQos1,
    sentQos0: 0,
    acked: set.size,
    failed,
    ackedSeqs: set,
    nextSeq: sentQos1,
    qos0Credit: 0,
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('acknowledged sequence numbers (SeqSet)', () => {
  it('keeps out-of-order acknowledgements as merged runs and ignores repeats', () => {
    const set = new SeqSet();
    for (const n of [0, 1, 2, 5, 4, 9, 3, 3, 7]) set.add(n);
    expect(set.size).toBe(8);
    expect(set.runs()).toEqual([
      [0, 5],
      [7, 7],
      [9, 9],
    ]);
    expect(set.has(6)).toBe(false);
    expect(set.has(7)).toBe(true);
    expect(set.gapsBelow(12)).toEqual([
      [6, 6],
      [8, 8],
      [10, 11],
    ]);
  });

  it('survives a trip through runs() (how worker threads send it)', () => {
    const set = new SeqSet();
    for (const n of [10, 3, 4, 11, 12, 0]) set.add(n);
    const copy = SeqSet.fromRuns(set.runs());
    expect(copy.runs()).toEqual(set.runs());
    expect(copy.size).toBe(6);
  });
});

describe('loss report', () => {
  it('lists, per device, acknowledged readings the store does not hold, worst first', () => {
    const report = lossReport(
      [tally('a', 10, range(10)), tally('b', 10, range(10)), tally('c', 10, range(10))],
      new Map([
        ['a', 10],
        ['b', 7],
        ['c', 9],
      ]),
    );
    expect(report).toMatchObject({
      sentQos1: 30,
      acked: 30,
      stored: 26,
      lost: 4,
      unexpected: 0,
      exact: true,
    });
    expect(report.devices.map((d) => [d.id, d.lost])).toEqual([
      ['b', 3],
      ['c', 1],
    ]);
    expect(describeLosses(report)[0]).toBe('b: 10 acknowledged, 7 stored, 3 lost');
  });

  it('flags readings stored beyond what was sent, and devices nobody sent from', () => {
    const report = lossReport(
      [tally('a', 5, range(5))],
      new Map([
        ['a', 6],
        ['ghost', 2],
      ]),
    );
    expect(report.unexpected).toBe(1);
    expect(report.strangers).toEqual(['ghost']);
    expect(describeLosses(report).join('\n')).toMatch(/stored but never sent[\s\S]*unknown devices: ghost/);
  });

  it('says the count is a lower bound while messages are still in flight', () => {
    // 3 sent, 2 acknowledged, 1 unsettled: a stored unacknowledged message could hide a lost one.
    const report = lossReport([tally('a', 3, [0, 1])], new Map([['a', 2]]));
    expect(report.lost).toBe(0);
    expect(report.exact).toBe(false);
  });
});

describe('load bench command line', () => {
  it('defaults to both deployments, 200 devices and 2,000 / 5,000 / 10,000 msgs/s steps of 20 s', () => {
    expect(parseLoadArgs([])).toMatchObject({
      deployments: ['all-in-one', 'separate'],
      devices: 200,
      rates: [2000, 5000, 10000],
      stepSeconds: 20,
      baseline: true,
      latency: true,
    });
    expect(parseLoadArgs([]).soak).toBeUndefined();
    expect(parseLoadArgs(['--deploy', 'none']).deployments).toEqual([]);
  });

  it('passes extra variables to one process or to all', () => {
    const { env } = parseLoadArgs([
      '--env',
      'gateway:GATEWAY_RELAY_MAX_UNCONFIRMED=5000',
      '--env',
      'INGEST_FLUSH_INTERVAL_MS=500',
    ]);
    expect(env.gateway).toEqual({ GATEWAY_RELAY_MAX_UNCONFIRMED: '5000', INGEST_FLUSH_INTERVAL_MS: '500' });
    expect(env.ingest).toEqual({ INGEST_FLUSH_INTERVAL_MS: '500' });
  });

  it('takes a soak with its rate and a warm-up', () => {
    expect(parseLoadArgs(['--soak-minutes', '30', '--rate', '2000']).soak).toEqual({
      minutes: 30,
      rate: 2000,
      warmupMinutes: 5,
    });
  });

  it('refuses bad values naming the flag, with the usage line', () => {
    for (const [argv, flag] of [
      [['--deploy', 'cloud'], '--deploy'],
      [['--rates', '2000,fast'], '--rates'],
      [['--devices', '0'], '--devices'],
      [['--soak-minutes', '5', '--warmup-minutes', '5'], '--warmup-minutes'],
      [['--bogus'], 'bogus'],
      [['--env', 'broker:X=1'], '--env'],
    ] as const) {
      try {
        parseLoadArgs(argv);
        throw new Error(`accepted ${argv.join(' ')}`);
      } catch (error) {
        expect(isUcapError(error, 'CONFIG_INVALID')).toBe(true);
        expect((error as Error).message).toContain(flag);
        expect((error as Error).message).toContain('npm run bench -- load');
      }
    }
  });
});

describe('bounded parallel map', () => {
  it('never runs more than the limit at once and keeps input order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapBounded(range(20), 3, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, n % 4));
      running -= 1;
      return n * 2;
    });
    expect(out).toEqual(range(20).map((n) => n * 2));
    expect(peak).toBe(3);
  });
});
