/**
 * The gateway's own time per call (decision lookup, admission, accounting: everything but the
 * provider), kept in a ring of the last `size` calls so percentiles can be read while serving.
 */
export class GatewayStats {
  readonly #samples: Float64Array;
  #count = 0;

  constructor(size = 4096) {
    this.#samples = new Float64Array(size);
  }

  add(overheadMs: number): void {
    this.#samples[this.#count % this.#samples.length] = overheadMs;
    this.#count += 1;
  }

  get count(): number {
    return this.#count;
  }

  /** The p-th percentile (0–100) of the kept samples in ms, or undefined with none. */
  percentile(p: number): number | undefined {
    const n = Math.min(this.#count, this.#samples.length);
    if (n === 0) return undefined;
    const sorted = Array.from(this.#samples.subarray(0, n)).sort((a, b) => a - b);
    return sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))];
  }

  reset(): void {
    this.#count = 0;
  }
}
