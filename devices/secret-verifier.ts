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
  /** How long a verified secret is accepted without running scrypt again. */
  readonly cacheTtlMs?: number;
  readonly maxCacheEntries?: number;
  readonly now?: () => number;
  /** The slow check itself; scrypt (secret-hash.ts) unless a test counts calls. */
  readonly check?: (secret: string, storedHash: string) => Promise<boolean>;
}

export interface SecretVerifier {
  verify(deviceId: string, secret: string, storedHash: string): Promise<boolean>;
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
  const ttl = options.cacheTtlMs ?? 10 * 60_000;
  const maxEntries = options.maxCacheEntries ?? 50_000;
  const now = options.now ?? Date.now;
  const check = options.check ?? verifySecret;
  const macKey = randomBytes(32);
  const cache = new Map<string, CachedProof>();
  const limit = createLimiter(maxConcurrent, maxQueued);
  const mac = (secret: string) => createHmac('sha256', macKey).update(secret).digest();

  return {
    async verify(deviceId, secret, storedHash) {
      const cached = cache.get(deviceId);
      if (cached && cached.storedHash === storedHash && cached.expiresAt > now()) {
        if (timingSafeEqual(cached.mac, mac(secret))) return true;
      }
      const ok = await limit(() => check(secret, storedHash));
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

function createLimiter(maxConcurrent: number, maxQueued: number) {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async function limit<T>(task: () => Promise<T>): Promise<T> {
    if (running >= maxConcurrent) {
      if (waiting.length >= maxQueued)
        throw new UcapError(
          'AUTH_BUSY',
          `more than ${maxQueued} logins are waiting to be checked; retry shortly`,
          {
            retryable: true,
            retryAfterMs: 1000,
          },
        );
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      running++;
    }
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
