import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time comparison, also for secrets of different lengths (compares their digests). */
export function sameSecret(presented: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
