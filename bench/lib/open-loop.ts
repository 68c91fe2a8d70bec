/** What one open-loop run measured. */
export interface LoopResult {
  /** Calls scheduled (rate x duration). */
  scheduled: number;
  /** Latencies of the calls that succeeded, in ms, from each call's scheduled instant to its answer. */
  latenciesMs: number[];
  errors: number;
  firstError: string | undefined;
  /** From the first scheduled instant to the last answer (or the give-up point), in ms. */
  elapsedMs: number;
}

/**
 * Open-loop load: calls start at fixed instants (`rate` per second for `durationMs`) whether or
 * not earlier ones have answered, so a slow path builds a queue instead of slowing the load.
 * Latency counts from the scheduled instant, not the moment the call left, so time a call
 * waited behind a busy event loop is included (no coordinated omission). Calls still out
 * `graceMs` after the last one was scheduled count as errors.
 */
export function openLoop(opts: {
  rate: number;
  durationMs: number;
  call: () => Promise<unknown>;
  graceMs?: number;
}): Promise<LoopResult> {
  const total = Math.max(1, Math.round((opts.rate * opts.durationMs) / 1000));
  const interval = 1000 / opts.rate;
  const latenciesMs: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let settled = 0;
  let next = 0;
  const start = performance.now() + 2;
  return new Promise((resolve) => {
    let giveUp: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(giveUp);
      const late = total - settled;
      resolve({
        scheduled: total,
        latenciesMs,
        errors: errors + late,
        firstError: firstError ?? (late > 0 ? `${late} calls unanswered after the grace period` : undefined),
        elapsedMs: performance.now() - start,
      });
    };
    const fire = (due: number) => {
      opts
        .call()
        .then(
          () => {
            if (!finished) latenciesMs.push(performance.now() - due);
          },
          (error: unknown) => {
            if (finished) return;
            errors += 1;
            firstError ??= error instanceof Error ? error.message : String(error);
          },
        )
        .finally(() => {
          if (finished) return;
          settled += 1;
          if (settled === total) finish();
        });
    };
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) fire(start + next++ * interval);
      if (next < total) {
        setTimeout(tick, Math.min(1, Math.max(0, start + next * interval - performance.now())));
      } else {
        giveUp = setTimeout(finish, opts.graceMs ?? 10_000);
      }
    };
    setTimeout(tick, 2);
  });
}
