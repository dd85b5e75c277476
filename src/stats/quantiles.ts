/**
 * Exact quantiles of durations without keeping every sample: a count per distinct value. Durations
 * in the log are whole milliseconds bounded by the call deadline, so the number of distinct values
 * stays small (at most a few tens of thousands) however long the log, and the answer is exact, not
 * an estimate. Hand-rolled because it is a dozen lines; a sketch library would only add error.
 */
export class DurationCounts {
  private readonly counts = new Map<number, number>();
  private total = 0;
  private sum = 0;

  add(value: number): void {
    this.counts.set(value, (this.counts.get(value) ?? 0) + 1);
    this.total += 1;
    this.sum += value;
  }


  mean(): number | undefined {
    return this.total === 0 ? undefined : this.sum / this.total;
  }

  /**
   * Nearest-rank quantile: the smallest recorded value v such that at least q of all samples are <= v
   * (p95 of 1..100 is 95). Undefined when empty.
   */
  quantile(q: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (const value of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(value) as number;
      if (seen >= rank) return value;
    }
    return undefined; // unreachable: seen ends at total >= rank
  }
}
