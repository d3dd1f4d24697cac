import { describe, expect, it } from 'vitest';
import { FrameSizeChecker, FrameTooLargeError } from '../../gateway/frame-size-guard.ts';
import {
  decidePublish,
  decideSubscribe,
  isReadingsFilter,
  mayReceive,
  type Principal,
} from '../../gateway/topic-acl.ts';

const device: Principal = { kind: 'device', deviceId: 'nice-a', city: 'nice' };
const service: Principal = { kind: 'service', username: 'ucap-ingest' };

describe('publish ACL', () => {
  it.each([
    [device, 'ucap/nice/nice-a/readings', true],
    [device, 'ucap/nice/nice-b/readings', 'foreign-topic'],
    [device, 'ucap/zhengzhou/nice-a/readings', 'foreign-topic'],
    [device, 'ucap/nice/nice-a/commands', 'topic-not-allowed'],
    [device, 'ucap/nice/nice-a/readings/extra', 'topic-not-allowed'],
    [device, '$SYS/broker/heartbeat', 'topic-not-allowed'],
    [service, 'ucap/nice/nice-a/readings', 'service-account-device-topic'],
    [service, 'ucap/nice/nice-a/commands', true],
    [service, 'ucap/nice/+/commands', 'topic-not-allowed'],
    [service, 'other/topic', 'topic-not-allowed'],
  ] as const)('%o publishing %s → %s', (who, topic, expected) => {
    const decision = decidePublish(who, topic);
    expect(decision.allowed ? true : decision.reason).toBe(expected);
  });
});

describe('subscribe ACL', () => {
  it.each([
    [service, 'ucap/+/+/readings', true],
    [service, 'ucap/nice/+/readings', true],
    [service, 'ucap/+/nice-a/readings', true],
    [service, 'ucap/nice/nice-a/readings', true],
    [service, 'ucap/#', 'topic-not-allowed'],
    [service, '#', 'topic-not-allowed'],
    [service, 'ucap/+/+/+', 'topic-not-allowed'],
    [service, 'ucap/+/#', 'topic-not-allowed'],
    [service, '$share/ingest/ucap/+/+/readings', 'shared-subscription'],
    [device, 'ucap/nice/nice-a/commands', true],
    [device, 'ucap/nice/nice-a/readings', 'topic-not-allowed'],
    [device, 'ucap/+/+/readings', 'topic-not-allowed'],
    [device, 'ucap/nice/+/commands', 'topic-not-allowed'],
    [device, '$share/x/ucap/nice/nice-a/commands', 'shared-subscription'],
  ] as const)('%o subscribing %s → %s', (who, filter, expected) => {
    const decision = decideSubscribe(who, filter);
    expect(decision.allowed ? true : decision.reason).toBe(expected);
  });

  it('recognises readings filters only', () => {
    expect(isReadingsFilter('ucap/+/+/readings')).toBe(true);
    expect(isReadingsFilter('ucap/Nice/+/readings')).toBe(false);
    expect(isReadingsFilter('ucap/+/a+b/readings')).toBe(false);
    expect(isReadingsFilter('ucap/+/+/readings/')).toBe(false);
  });

  it('delivers readings only to the service account and commands only to their device', () => {
    expect(mayReceive(service, 'ucap/nice/nice-a/readings')).toBe(true);
    expect(mayReceive(service, '$SYS/x/heartbeat')).toBe(false);
    expect(mayReceive(device, 'ucap/nice/nice-b/readings')).toBe(false);
    expect(mayReceive(device, 'ucap/nice/nice-a/commands')).toBe(true);
    expect(mayReceive(device, 'ucap/nice/nice-b/commands')).toBe(false);
  });
});

/** An MQTT fixed header: type byte plus the variable-length "remaining length". */
function header(type: number, length: number): number[] {
  const bytes = [type];
  let rest = length;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return bytes;
}

function packet(length: number): Buffer {
  return Buffer.concat([Buffer.from(header(0x30, length)), Buffer.alloc(length, 0x61)]);
}

describe('frame size checker', () => {
  it('lets packets up to the limit through, whatever the chunking', () => {
    const stream = Buffer.concat([
      packet(0),
      packet(127),
      packet(128),
      packet(1000),
      Buffer.from([0xc0, 0x00]),
    ]);
    for (const size of [1, 2, 3, 7, 64, stream.length]) {
      const checker = new FrameSizeChecker(1000);
      for (let i = 0; i < stream.length; i += size)
        expect(checker.check(stream.subarray(i, i + size))).toBeUndefined();
    }
  });

  it('refuses a packet one byte over the limit as soon as its header arrives', () => {
    const checker = new FrameSizeChecker(1000);
    expect(checker.check(packet(10))).toBeUndefined();
    const problem = checker.check(Buffer.from(header(0x30, 1001)));
    expect(problem).toBeInstanceOf(FrameTooLargeError);
    expect((problem as FrameTooLargeError).frameBytes).toBe(1001);
  });

  it('refuses a header split across chunks that announces 256 MiB', () => {
    const checker = new FrameSizeChecker(64 * 1024);
    const big = header(0x30, 256 * 1024 * 1024 - 1);
    expect(checker.check(Buffer.from(big.slice(0, 2)))).toBeUndefined();
    expect(checker.check(Buffer.from(big.slice(2)))).toBeInstanceOf(FrameTooLargeError);
  });

  it('refuses a remaining length longer than four bytes', () => {
    const checker = new FrameSizeChecker(64 * 1024);
    expect(checker.check(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80]))?.message).toMatch(/malformed/);
  });
});
