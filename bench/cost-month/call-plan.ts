import { stableShare, type WorkloadTask } from './workload.js';

/** One model call of one task: the prompt the skill sends and what the model is scripted to write. */
export interface PlannedCall {
  /** Whole prompt of the call by the fake's count (characters / 4). */
  promptTokens: number;
  /** Of it, the stable prefix the skill declares (sent as a stable part, first). */
  stableTokens: number;
  outputTokens: number;
  maxTokens: number;
}

/** `total` split over `parts` as evenly as integers allow; the first ones take the remainder. */
function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total - base * parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * The calls of one run of `task`, grouped per router task (`tasksPerRun` lists of `callsPerTask`),
 * with the run's tokens split evenly over them so the run's totals are exact. `scale` multiplies
 * the run's token estimates (the bench's sensitivity runs halve and double the tool tier's). The
 * stable share of each prompt is sent as a stable part; whether any of it is read from or written
 * to a cache is the gateway's and the fake vendor's business.
 */
export function planRun(task: WorkloadTask, scale = 1): PlannedCall[][] {
  const { tasksPerRun, callsPerTask } = task.batch;
  const calls = tasksPerRun * callsPerTask;
  const tokensIn = Math.max(calls, Math.round(task.tokensIn.perRun * scale));
  const tokensOut = Math.round(task.tokensOut.perRun * scale);
  const ins = split(tokensIn, calls);
  const outs = split(tokensOut, calls);
  const share = stableShare(task);
  const planned = ins.map(
    (prompt, i): PlannedCall => ({
      promptTokens: prompt,
      // At least one variable token, so runs differ after their prefix as real inputs do.
      stableTokens: Math.min(prompt - 1, Math.round(prompt * share)),
      outputTokens: outs[i]!,
      maxTokens: task.maxTokens?.perCall ?? Math.max(16, 2 * outs[i]!),
    }),
  );
  return Array.from({ length: tasksPerRun }, (_, t) =>
    planned.slice(t * callsPerTask, (t + 1) * callsPerTask),
  );
}

const FILLER = 'Material the skill hands the model: feed items, readings, posts, rules, observations. ';

/**
 * Text of exactly `tokens` tokens by the gateway's and the fake's count (characters / 4), the
 * size of what a skill would send. `seed` makes texts differ from the first character (two task
 * types' stable parts, two runs' inputs), so only what is truly the same is ever cached.
 * Repetitive on purpose: Postgres compresses it when the task input is stored.
 */
export function materialOfTokens(tokens: number, seed = ''): string {
  const chars = Math.max(0, tokens * 4);
  const head = seed === '' ? '' : `[${seed}] `;
  return (head + FILLER.repeat(Math.ceil(chars / FILLER.length) + 1)).slice(0, chars);
}
