/**
 * A set of non-negative integers kept as sorted, disjoint, non-adjacent [first, last] runs.
 * Acknowledgements arrive almost in order, so a device's acknowledged sequence numbers stay a
 * handful of runs however many messages it sent.
 */
export class SeqSet {
  // Flat pairs: firsts[i]..lasts[i], sorted, with a gap of at least one between runs.
  readonly #firsts: number[] = [];
  readonly #lasts: number[] = [];
  #size = 0;

  /** Rebuilds a set from runs() output (e.g. sent from a worker thread). */
  static fromRuns(runs: ReadonlyArray<readonly [number, number]>): SeqSet {
    const set = new SeqSet();
    for (const [first, last] of runs) {
      set.#firsts.push(first);
      set.#lasts.push(last);
      set.#size += last - first + 1;
    }
    return set;
  }

  get size(): number {
    return this.#size;
  }

  has(n: number): boolean {
    const i = this.#runAtOrBefore(n);
    return i >= 0 && n <= (this.#lasts[i] as number);
  }

  add(n: number): void {
    const count = this.#firsts.length;
    // Fast path: the next number after the last run.
    if (count > 0 && this.#lasts[count - 1] === n - 1) {
      this.#lasts[count - 1] = n;
      this.#size += 1;
      return;
    }
    const i = this.#runAtOrBefore(n);
    if (i >= 0 && n <= (this.#lasts[i] as number)) return;
    this.#size += 1;
    const joinsLeft = i >= 0 && this.#lasts[i] === n - 1;
    const joinsRight = i + 1 < count && this.#firsts[i + 1] === n + 1;
    if (joinsLeft && joinsRight) {
      this.#lasts[i] = this.#lasts[i + 1] as number;
      this.#firsts.splice(i + 1, 1);
      this.#lasts.splice(i + 1, 1);
    } else if (joinsLeft) {
      this.#lasts[i] = n;
    } else if (joinsRight) {
      this.#firsts[i + 1] = n;
    } else {
      this.#firsts.splice(i + 1, 0, n);
      this.#lasts.splice(i + 1, 0, n);
    }
  }

  /** The runs, oldest first, e.g. [[0, 99], [101, 250]]. */
  runs(): Array<readonly [number, number]> {
    return this.#firsts.map((first, i) => [first, this.#lasts[i] as number] as const);
  }

  /** Numbers in [0, below) that are not in the set, as runs. */
  gapsBelow(below: number): Array<readonly [number, number]> {
    const gaps: Array<readonly [number, number]> = [];
    let next = 0;
    for (const [first, last] of this.runs()) {
      if (first >= below) break;
      if (first > next) gaps.push([next, first - 1]);
      next = last + 1;
    }
    if (next < below) gaps.push([next, below - 1]);
    return gaps;
  }

  // Index of the last run starting at or before n, -1 when none does.
  #runAtOrBefore(n: number): number {
    let lo = 0;
    let hi = this.#firsts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#firsts[mid] as number) <= n) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
