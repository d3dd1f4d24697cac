import { describe, expect, it } from 'vitest';
import { generateSecret, hashSecret, verifySecret } from '../../devices/secret-hash.ts';
import { createSecretVerifier } from '../../devices/secret-verifier.ts';
import { isUcapError } from '../../domain/errors.ts';

describe('secret hashing', () => {
  it('verifies the secret it hashed and nothing else', async () => {
    const secret = generateSecret();
    const hash = await hashSecret(secret);
    expect(hash).not.toContain(secret);
    expect(await verifySecret(secret, hash)).toBe(true);
    expect(await verifySecret(generateSecret(), hash)).toBe(false);
    expect(await hashSecret(secret)).not.toBe(hash);
  });

  it('refuses a malformed stored hash as a corrupt registry', async () => {
    const error = await verifySecret('x', 'plain-text-password').catch((e: unknown) => e);
    expect(isUcapError(error, 'REGISTRY_CORRUPT')).toBe(true);
    const huge = await verifySecret('x', 'scrypt$1073741824$8$1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').catch(
      (e: unknown) => e,
    );
    expect(isUcapError(huge, 'REGISTRY_CORRUPT')).toBe(true);
  });
});

/** A stand-in for scrypt that counts calls and can be held open, so the cache and limits are observable. */
function countingCheck() {
  const state = { calls: 0, running: 0, maxRunning: 0, release: [] as Array<() => void>, hold: false };
  const check = async (secret: string, storedHash: string) => {
    state.calls++;
    state.running++;
    state.maxRunning = Math.max(state.maxRunning, state.running);
    if (state.hold) await new Promise<void>((resolve) => state.release.push(resolve));
    else await Promise.resolve();
    state.running--;
    return storedHash === `hash-of-${secret}`;
  };
  return { state, check };
}

describe('secret verifier', () => {
  it('remembers a successful check until it expires', async () => {
    const { state, check } = countingCheck();
    let now = 1_000;
    const verifier = createSecretVerifier({ check, cacheTtlMs: 60_000, now: () => now });
    expect(await verifier.verify('d1', 'pw', 'hash-of-pw')).toBe(true);
    expect(await verifier.verify('d1', 'pw', 'hash-of-pw')).toBe(true);
    expect(state.calls).toBe(1);
    now += 60_001;
    expect(await verifier.verify('d1', 'pw', 'hash-of-pw')).toBe(true);
    expect(state.calls).toBe(2);
  });

  it('never caches failures and never lets the cache accept another secret', async () => {
    const { state, check } = countingCheck();
    const verifier = createSecretVerifier({ check });
    expect(await verifier.verify('d1', 'pw', 'hash-of-pw')).toBe(true);
    expect(await verifier.verify('d1', 'guess', 'hash-of-pw')).toBe(false);
    expect(await verifier.verify('d1', 'guess', 'hash-of-pw')).toBe(false);
    expect(state.calls).toBe(3);
  });

  it('forgets a check when the stored hash changes (secret rotated)', async () => {
    const { check } = countingCheck();
    const verifier = createSecretVerifier({ check });
    expect(await verifier.verify('d1', 'old', 'hash-of-old')).toBe(true);
    expect(await verifier.verify('d1', 'old', 'hash-of-new')).toBe(false);
  });

  it('runs at most maxConcurrent checks and refuses beyond maxQueued (retryable AUTH_BUSY)', async () => {
    const { state, check } = countingCheck();
    state.hold = true;
    const verifier = createSecretVerifier({ check, maxConcurrent: 2, maxQueued: 3 });
    const pending = Array.from({ length: 5 }, (_, i) => verifier.verify(`d${i}`, 'pw', 'hash-of-pw'));
    const refused = await verifier.verify('d9', 'pw', 'hash-of-pw').catch((e: unknown) => e);
    expect(isUcapError(refused, 'AUTH_BUSY') && refused.canRetry()).toBe(true);
    while (state.calls < 5 || state.release.length > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      state.release.shift()?.();
    }
    expect(await Promise.all(pending)).toEqual([true, true, true, true, true]);
    expect(state.maxRunning).toBe(2);
  });
});
