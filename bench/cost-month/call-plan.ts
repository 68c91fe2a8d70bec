import type { FakeUsage } from '@forge/testkit';
import type { WorkloadTask } from './workload.js';

/** One model call of one task, as the fake LLM server will report it and the skill will ask it. */
export interface PlannedCall {
  /** Normalised usage (input excludes cache tokens), rendered by the fake in each vendor's semantics. */
  usage: FakeUsage;
  /** Whole prompt of the call (input + cache read + cache write): sets the request's size. */
  promptTokens: number;
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
 * the run's token estimates (the bench's sensitivity runs halve and double the tool tier's).
 * Cache shares apply to each call's prompt; cache writes are 5-minute writes.
 */
export function planRun(task: WorkloadTask, scale = 1): PlannedCall[][] {
  const { tasksPerRun, callsPerTask } = task.batch;
  const calls = tasksPerRun * callsPerTask;
  const tokensIn = Math.max(calls, Math.round(task.tokensIn.perRun * scale));
  const tokensOut = Math.round(task.tokensOut.perRun * scale);
  const ins = split(tokensIn, calls);
  const outs = split(tokensOut, calls);
  const readShare = task.cache?.readShare ?? 0;
  const writeShare = task.cache?.writeShare ?? 0;
  const planned = ins.map((prompt, i): PlannedCall => {
    const cacheReadTokens = Math.round(prompt * readShare);
    const cacheWriteTokens = Math.min(prompt - cacheReadTokens, Math.round(prompt * writeShare));
    const outputTokens = outs[i]!;
    return {
      usage: {
        inputTokens: prompt - cacheReadTokens - cacheWriteTokens,
        outputTokens,
        cacheReadTokens,
        cacheWriteTokens,
        cacheWrite1hTokens: 0,
        reasoningTokens: 0,
      },
      promptTokens: prompt,
      maxTokens: task.maxTokens?.perCall ?? Math.max(16, 2 * outputTokens),
    };
  });
  return Array.from({ length: tasksPerRun }, (_, t) =>
    planned.slice(t * callsPerTask, (t + 1) * callsPerTask),
  );
}

const FILLER = 'Material the skill hands the model: feed items, readings, posts, rules, observations. ';

/**
 * Text of about `tokens` tokens by the gateway's estimate (characters / 4): the size of what a
 * skill would send, so admission reserves for a prompt of the real size. Repetitive on purpose:
 * Postgres compresses it when the task input is stored.
 */
export function materialOfTokens(tokens: number): string {
  const chars = Math.max(1, tokens * 4);
  return FILLER.repeat(Math.ceil(chars / FILLER.length)).slice(0, chars);
}
