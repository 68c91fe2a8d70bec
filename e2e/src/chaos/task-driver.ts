import type { PlannedTask } from './task-plan.js';

/** JSON-RPC errors that say the request itself is wrong: sending it again cannot help. */
const FINAL_RPC_CODES = new Set([-32700, -32600, -32601, -32602]);

/** What the client saw of one task's submission. */
export interface Submitted {
  readonly task: PlannedTask;
  /** Every task id the edge answered with; one distinct id when retries were idempotent. */
  readonly taskIds: string[];
  /** Attempts that failed before one was answered (the edge or its backends were down). */
  readonly failedAttempts: number;
  /** Set when the edge refused the task for good, or it was never answered within the bound. */
  readonly refused: string | null;
}

/**
 * Sends one task as an A2A client would, `returnImmediately`, with the operator key: a failed
 * attempt (connection refused, 5xx, a retryable JSON-RPC error) is sent again with the same
 * messageId, so the edge's idempotency key makes it the same task, until `retryForMs` passes.
 * Error texts are passed to `onError` (a fault run looks for internals leaking to callers).
 */
export async function submitTask(opts: {
  task: PlannedTask;
  agentUrl: string;
  apiKey: string;
  retryForMs: number;
  onError?: (text: string) => void;
}): Promise<Submitted> {
  const { task } = opts;
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: task.index,
    method: 'SendMessage',
    params: {
      message: {
        messageId: task.messageId,
        role: 'ROLE_USER',
        parts: [{ data: task.input }],
        metadata: { skill: task.skill },
      },
      configuration: { returnImmediately: true },
    },
  });
  const taskIds: string[] = [];
  let failedAttempts = 0;
  const deadline = Date.now() + opts.retryForMs;
  for (let attempt = 0; ; attempt++) {
    let problem: string;
    try {
      const res = await fetch(`${opts.agentUrl}/a2a/jsonrpc`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'a2a-version': '1.0',
          authorization: `Bearer ${opts.apiKey}`,
        },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      const answer = parseJson(text) as {
        result?: { id?: string; task?: { id?: string } };
        error?: { code: number; message: string };
      } | null;
      const id = answer?.result?.id ?? answer?.result?.task?.id;
      if (res.status === 200 && typeof id === 'string') {
        taskIds.push(id);
        return { task, taskIds, failedAttempts, refused: null };
      }
      problem = `HTTP ${res.status}: ${text.slice(0, 300)}`;
      if (answer?.error && FINAL_RPC_CODES.has(answer.error.code)) {
        return { task, taskIds, failedAttempts, refused: problem };
      }
    } catch (error) {
      problem = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    failedAttempts += 1;
    opts.onError?.(problem);
    if (Date.now() > deadline) return { task, taskIds, failedAttempts, refused: `gave up: ${problem}` };
    await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * 2 ** attempt)));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Sends tasks made by `plan(index)` at `ratePerSecond` (at most `concurrency` in flight) until
 * `shouldStop(sent)` says so; resolves with every submission once all have been answered.
 */
export async function driveTasks(opts: {
  plan: (index: number) => PlannedTask;
  agentUrl: (task: PlannedTask) => string;
  apiKey: string;
  ratePerSecond: number;
  concurrency: number;
  retryForMs: number;
  shouldStop: (sent: number) => boolean;
  onError?: (text: string) => void;
}): Promise<Submitted[]> {
  const results: Promise<Submitted>[] = [];
  let inFlight = 0;
  const gapMs = 1000 / opts.ratePerSecond;
  const started = performance.now();
  for (let index = 0; !opts.shouldStop(index); index++) {
    const due = started + index * gapMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    while (inFlight >= opts.concurrency) await new Promise((resolve) => setTimeout(resolve, 10));
    const task = opts.plan(index);
    inFlight += 1;
    results.push(
      submitTask({
        task,
        agentUrl: opts.agentUrl(task),
        apiKey: opts.apiKey,
        retryForMs: opts.retryForMs,
        ...(opts.onError ? { onError: opts.onError } : {}),
      }).finally(() => {
        inFlight -= 1;
      }),
    );
  }
  return Promise.all(results);
}
