/**
 * The arithmetic every piecewise-linear index shares (HJ 633 and US EPA both use
 * I = (I_hi − I_lo)/(C_hi − C_lo) × (C − C_lo) + I_lo: HJ 633 IAQI formula, EPA-454/B-24-002 AQI
 * equation),
 * plus band lookup for banded indices (EAQI) and the rounding rules, done once.
 */

/** One linear piece of an index table: concentrations [cLo, cHi] map onto indices [iLo, iHi]. */
export interface Segment {
  readonly cLo: number;
  readonly cHi: number;
  readonly iLo: number;
  readonly iHi: number;
}

/** Floating-point noise (e.g. 0.1 × 3) must not push a value across an integer or a truncation step. */
const SNAP = 1e9;
function snap(x: number): number {
  return Math.round(x * SNAP) / SNAP;
}

/** Raw (unrounded) index of c inside a segment. */
export function interpolate(segment: Segment, c: number): number {
  const { cLo, cHi, iLo, iHi } = segment;
  return ((iHi - iLo) / (cHi - cLo)) * (c - cLo) + iLo;
}

/** The first segment whose closed range holds c, or undefined when c lies outside the table. */
export function findSegment(segments: readonly Segment[], c: number): Segment | undefined {
  return segments.find((s) => c >= s.cLo && c <= s.cHi);
}

/** Builds contiguous segments from concentration nodes aligned with index nodes (HJ 633 layout). */
export function nodesToSegments(concentrations: readonly number[], indices: readonly number[]): Segment[] {
  const segments: Segment[] = [];
  for (let k = 1; k < concentrations.length; k++) {
    const cLo = concentrations[k - 1];
    const cHi = concentrations[k];
    const iLo = indices[k - 1];
    const iHi = indices[k];
    if (cLo === undefined || cHi === undefined || iLo === undefined || iHi === undefined) break;
    segments.push({ cLo, cHi, iLo, iHi });
  }
  return segments;
}

/** HJ 633: IAQI and AQI are rounded up to the next integer (进位取整). */
export function ceilIndex(x: number): number {
  return Math.ceil(snap(x));
}

/** US EPA: the index is rounded to the nearest integer, halves up. */
export function roundIndex(x: number): number {
  return Math.floor(snap(x) + 0.5);
}

/** US EPA: truncates a concentration to `decimals` places (0.0874 ppm → 0.087 with 3). */
export function truncateTo(x: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.floor(snap(x * scale)) / scale;
}

/**
 * Band of a banded index: 1 + the number of upper bounds c lies above. Bounds are upper-inclusive
 * ((lo, hi] intervals); the last band is open-ended.
 */
export function bandOf(upperBounds: readonly number[], c: number): number {
  let band = 1;
  for (const upper of upperBounds) {
    if (c > upper) band++;
    else break;
  }
  return band;
}

/** Round-half-to-even to an integer (GB/T 8170 修约, used by HJ 633-2026 for PM). */
export function roundHalfEven(x: number): number {
  const s = snap(x);
  const floor = Math.floor(s);
  const diff = s - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}
