/** What a closed loop measured: each answered call's latency, the failures, and the wall time. */
export interface ClosedLoopResult {
  latenciesMs: number[];
  errors: number;
  elapsedMs: number;
  /** The first failure's message, to say why a level failed. */
  firstError?: string;
}

/**
 * A closed loop: `concurrency` callers, each sending its next call when the last one ended, until
 * `count` calls in all have been sent. Latency counts from each call's start (a closed loop has no
 * schedule to fall behind: its queueing shows as lower throughput, not as latency).
 */
export async function closedLoop(
  concurrency: number,
  count: number,
  call: () => Promise<unknown>,
): Promise<ClosedLoopResult> {
  const latenciesMs: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        const t0 = performance.now();
        try {
          await call();
          latenciesMs.push(performance.now() - t0);
        } catch (error) {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  return {
    latenciesMs,
    errors,
    elapsedMs: performance.now() - began,
    ...(firstError === undefined ? {} : { firstError }),
  };
}
