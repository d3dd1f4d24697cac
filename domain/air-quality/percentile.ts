import { UcapError } from '../errors.ts';

/**
 * Percentile as HJ 663-2013 specifies for China's annual assessment: sort ascending,
 * k = 1 + (n − 1)·p/100, s = ⌊k⌋, X_p = X_s + (X_{s+1} − X_s)·(k − s) (1-based ranks). This is the
 * same as Excel PERCENTILE.INC and numpy's default "linear" method; two public repositories quote
 * the HJ 663 formula this way. Also used for WHO's 99th percentiles, for which WHO names no method.
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!(p >= 0 && p <= 100)) throw new UcapError('AQ_INVALID_INPUT', `percentile ${p} is not within 0–100`);
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const k = 1 + ((sorted.length - 1) * p) / 100;
  const s = Math.floor(k);
  const lower = sorted[s - 1] ?? Number.NaN;
  const upper = sorted[s] ?? lower;
  return lower + (upper - lower) * (k - s);
}
