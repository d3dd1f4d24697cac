import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../cli/csv.ts';
import { createSecretVerifier } from '../../devices/secret-verifier.ts';
import { isUcapError } from '../../domain/errors.ts';
import { LoginThrottle } from '../../gateway/login-throttle.ts';
import { PublishBudget } from '../../gateway/publish-budget.ts';

describe('LoginThrottle', () => {
  it('blocks after the threshold with a doubling backoff, capped, and a success resets it', () => {
    let now = 0;
    const throttle = new LoginThrottle(3, 5_000, { now: () => now });
    throttle.fail('x');
    throttle.fail('x');
    expect(throttle.blockedFor('x')).toBe(0);
    throttle.fail('x');
    expect(throttle.blockedFor('x')).toBe(1_000);
    throttle.fail('x');
    expect(throttle.blockedFor('x')).toBe(2_000);
    for (let i = 0; i < 10; i++) throttle.fail('x');
    expect(throttle.blockedFor('x')).toBe(5_000);
    expect(throttle.blockedFor('y')).toBe(0);
    now += 5_001;
    expect(throttle.blockedFor('x')).toBe(0);
    throttle.succeed('x');
    throttle.fail('x');
    expect(throttle.blockedFor('x')).toBe(0);
  });

  it('forgets a key quiet for longer than the longest backoff', () => {
    let now = 0;
    const throttle = new LoginThrottle(2, 1_000, { now: () => now });
    throttle.fail('x');
    now += 1_001;
    throttle.fail('x');
    expect(throttle.blockedFor('x')).toBe(0);
  });
});

describe('PublishBudget', () => {
  it('allows a one-second burst, then the rate, per device', () => {
    let now = 0;
    const budget = new PublishBudget(
      { messagesPerSecond: 10, bytesPerSecond: 1_000, largestPayloadBytes: 500 },
      () => now,
    );
    const take = (n: number, bytes = 1) => Array.from({ length: n }, () => budget.take('a', bytes));
    expect(take(10).every((r) => r === undefined)).toBe(true);
    expect(budget.take('a', 1)).toBe('publish-rate-exceeded');
    expect(budget.take('b', 1)).toBeUndefined();
    now += 500;
    expect(take(5).every((r) => r === undefined)).toBe(true);
    expect(budget.take('a', 1)).toBe('publish-rate-exceeded');
    now += 10_000;
    expect(budget.take('a', 990)).toBeUndefined();
    expect(budget.take('a', 20)).toBe('byte-rate-exceeded');
  });
});

describe('secret verifier fairness', () => {
  it('serves queued checks round-robin across device ids and caps pending checks per id', async () => {
    const order: string[] = [];
    const release: Array<() => void> = [];
    const check = async (secret: string) => {
      order.push(secret);
      await new Promise<void>((resolve) => release.push(resolve));
      return false;
    };
    const verifier = createSecretVerifier({ check, maxConcurrent: 1, maxPerDevice: 3 });
    const flood = Array.from({ length: 3 }, (_, i) =>
      verifier.verify('flooded', `f${i}`, 'h').catch(() => 'busy'),
    );
    const refused = await verifier.verify('flooded', 'f3', 'h').catch((e: unknown) => e);
    expect(isUcapError(refused, 'AUTH_BUSY')).toBe(true);
    const other = verifier.verify('other', 'o0', 'h');
    while (release.length > 0 || order.length < 4) {
      await new Promise((resolve) => setImmediate(resolve));
      release.shift()?.();
    }
    await Promise.all([...flood, other]);
    // The other device's check runs right after the one in progress, not behind the flood.
    expect(order.slice(0, 2)).toEqual(['f0', 'f1']);
    expect(order.indexOf('o0')).toBeLessThanOrEqual(2);
  });
});

describe('parseCsv', () => {
  it('reads quoted fields with commas, quotes and line breaks, CRLF, a BOM, and keeps line numbers', () => {
    const text = '\uFEFFid,site\r\na,"x, ""y"""\r\n\r\nb,"two\nlines"\nc,\n';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['id', 'site'] },
      { line: 2, fields: ['a', 'x, "y"'] },
      { line: 4, fields: ['b', 'two\nlines'] },
      { line: 6, fields: ['c', ''] },
    ]);
    expect(() => parseCsv('id\n"open')).toThrow(/line 2/);
  });
});
