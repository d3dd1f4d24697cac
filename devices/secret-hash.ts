import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { UcapError } from '../domain/errors.ts';

/**
 * Device secrets are kept only as scrypt hashes, in the format documented on
 * `deviceRecordSchema.secretHash`: `scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>`.
 *
 * N=2^12, r=8, p=1 costs ~12-15 ms and 4 MiB here (measured on the 2-core dev machine). The
 * secrets are 256-bit random values, so the hash guards a leaked registry file rather than weak
 * passwords, and no work factor adds to 256 bits of entropy; a higher N would only slow a
 * reconnect storm and fleet provisioning (2,000 devices: ~15 s instead of ~80 s at N=2^14).
 * Hashes made with another N (older registries used 2^14) keep verifying: N is in each hash.
 */
const COST = { N: 4096, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const HASH_PATTERN = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

/** A fresh device password: 32 random bytes, base64url (43 characters, safe in shells and URLs). */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(secret, salt, KEY_BYTES, COST);
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Constant-time check of a presented secret against a stored hash. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  const key = await scryptAsync(secret, parsed.salt, parsed.key.length, parsed.cost);
  return timingSafeEqual(key, parsed.key);
}

interface ParsedHash {
  readonly cost: { N: number; r: number; p: number };
  readonly salt: Buffer;
  readonly key: Buffer;
}

function parseHash(stored: string): ParsedHash {
  const match = HASH_PATTERN.exec(stored);
  if (!match)
    throw new UcapError(
      'REGISTRY_CORRUPT',
      'a device secret hash is not in the scrypt$N$r$p$salt$hash format',
    );
  const [, n, r, p, salt, key] = match;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const keyBytes = Buffer.from(key ?? '', 'base64');
  if (
    cost.N < 2 ||
    cost.N > 2 ** 20 ||
    cost.r < 1 ||
    cost.r > 32 ||
    cost.p < 1 ||
    cost.p > 16 ||
    keyBytes.length < 16
  )
    throw new UcapError('REGISTRY_CORRUPT', 'a device secret hash has scrypt parameters out of range');
  return { cost, salt: Buffer.from(salt ?? '', 'base64'), key: keyBytes };
}

// The async scrypt runs on the libuv thread pool, so hashing never blocks the event loop.
function scryptAsync(secret: string, salt: Buffer, length: number, cost: ScryptOptions): Promise<Buffer> {
  const N = cost.N ?? COST.N;
  const r = cost.r ?? COST.r;
  const options = { ...cost, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
