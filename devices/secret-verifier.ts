import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { UcapError } from '../domain/errors.ts';
import { verifySecret } from './secret-hash.ts';

export interface SecretVerifierOptions {
  /**
   * scrypt runs on the libuv pool (4 threads by default), shared with every fs call. Two at a
   * time leaves threads for the registry's own reads during a reconnect storm.
   */
  readonly maxConcurrent?: number;
  /** Logins waiting beyond this are refused at once (retryable) instead of queueing without bound. */
  readonly maxQueued?: number;
  /**
   * Checks one device id may have running or waiting; more are refused at once (retryable). With
   * the queue served round-robin across ids, a flood on one id never delays another's login.
   */
  readonly maxPerDevice?: number;
  /** How long a verified secret is accepted without running scrypt again. */
  readonly cacheTtlMs?: number;
  readonly maxCacheEntries?: number;
  readonly now?: () => number;
  /** The slow check itself; scrypt (secret-hash.ts) unless a test counts calls. */
  readonly check?: (secret: string, storedHash: string) => Promise<boolean>;
}

export interface VerifyOptions {
  /** Answer from the cache of recent successful checks only (false when not there): no scrypt. */
  readonly cachedOnly?: boolean;
}

export interface SecretVerifier {
  verify(deviceId: string, secret: string, storedHash: string, options?: VerifyOptions): Promise<boolean>;
}

interface CachedProof {
  /** The stored hash the secret was checked against: rotating or removing the device invalidates it. */
  readonly storedHash: string;
  readonly mac: Buffer;
  readonly expiresAt: number;
}

/**
 * Checks device secrets with scrypt, bounded in concurrency, and remembers successful checks
 * briefly so a device that reconnects does not pay scrypt again. The cache keeps an HMAC of the
 * secret under a per-process random key (never the secret itself), tied to the stored hash, and
 * compares in constant time: it answers exactly what scrypt would until the secret is rotated.
 * Failures are never cached, so a wrong guess always costs the full scrypt.
 */
export function createSecretVerifier(options: SecretVerifierOptions = {}): SecretVerifier {
  const maxConcurrent = options.maxConcurrent ?? 2;
  const maxQueued = options.maxQueued ?? 500;
  const maxPerDevice = options.maxPerDevice ?? 2;
  const ttl = options.cacheTtlMs ?? 10 * 60_000;
  const maxEntries = options.maxCacheEntries ?? 50_000;
  const now = options.now ?? Date.now;
  const check = options.check ?? verifySecret;
  const macKey = randomBytes(32);
  const cache = new Map<string, CachedProof>();
  const limit = createFairLimiter(maxConcurrent, maxQueued, maxPerDevice);
  const mac = (secret: string) => createHmac('sha256', macKey).update(secret).digest();

  return {
    async verify(deviceId, secret, storedHash, verifyOptions = {}) {
      const cached = cache.get(deviceId);
      if (cached && cached.storedHash === storedHash && cached.expiresAt > now()) {
        if (timingSafeEqual(cached.mac, mac(secret))) return true;
      }
      if (verifyOptions.cachedOnly) return false;
      const ok = await limit(deviceId, () => check(secret, storedHash));
      if (ok) {
        cache.delete(deviceId);
        cache.set(deviceId, { storedHash, mac: mac(secret), expiresAt: now() + ttl });
        // Map keeps insertion order: the first key is the least recently verified.
        if (cache.size > maxEntries) cache.delete(cache.keys().next().value ?? '');
      }
      return ok;
    },
  };
}

/**
 * At most `maxConcurrent` checks run; the rest wait in one queue per device id, served
 * round-robin, so 400 attempts on one id take one turn each among the other ids' logins.
 */
function createFairLimiter(maxConcurrent: number, maxQueued: number, maxPerKey: number) {
  let running = 0;
  let queued = 0;
  const pending = new Map<string, number>();
  const waiting = new Map<string, Array<() => void>>();
  const busy = (why: string) =>
    new UcapError('AUTH_BUSY', `${why}; retry shortly`, { retryable: true, retryAfterMs: 1000 });
  const next = () => {
    const key = waiting.keys().next().value;
    if (key === undefined) {
      running--;
      return;
    }
    const queue = waiting.get(key) ?? [];
    const resolve = queue.shift();
    waiting.delete(key);
    // Back to the end of the rotation if it still has waiters.
    if (queue.length > 0) waiting.set(key, queue);
    queued--;
    resolve?.();
  };
  return async function limit<T>(key: string, task: () => Promise<T>): Promise<T> {
    const mine = pending.get(key) ?? 0;
    if (mine >= maxPerKey) throw busy(`${mine} logins for this device are already being checked`);
    if (running >= maxConcurrent && queued >= maxQueued)
      throw busy(`more than ${maxQueued} logins are waiting to be checked`);
    pending.set(key, mine + 1);
    if (running >= maxConcurrent) {
      queued++;
      await new Promise<void>((resolve) => {
        const queue = waiting.get(key);
        if (queue) queue.push(resolve);
        else waiting.set(key, [resolve]);
      });
    } else {
      running++;
    }
    try {
      return await task();
    } finally {
      const left = (pending.get(key) ?? 1) - 1;
      if (left > 0) pending.set(key, left);
      else pending.delete(key);
      next();
    }
  };
}
