/**
 * The `every` parameter of /v1/series: a whole number of minutes, hours or days ("5m", "1h", "1d").
 * Seconds are not offered: sensors report every few seconds to minutes, so sub-minute buckets
 * would mostly hold one reading and only multiply the response size.
 */
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^([1-9][0-9]{0,5})([mhd])$/;

export const MIN_BUCKET_MS = UNIT_MS.m;
/** Beyond this many buckets a response stops being a chart and becomes an export. */
export const MAX_BUCKETS = 10_000;

/** Milliseconds for a duration such as "15m", or undefined when the text is not one. */
export function parseBucketDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const unit = match[2] as keyof typeof UNIT_MS;
  return Number(match[1]) * UNIT_MS[unit];
}

/** Buckets a [from, to) range spans; a partial last bucket counts. */
export function bucketCount(from: number, to: number, everyMs: number): number {
  return Math.ceil((to - from) / everyMs);
}
