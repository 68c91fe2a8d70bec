import type { BrainRouter } from './brain-router.js';
import { planRun } from './call-plan.js';
import { readLedger } from './ledger-bill.js';
import { withTimeout } from './month-simulation.js';
import type { SimulatedAgents, TaskOutcome } from './simulated-agents.js';
import type { WorkloadTask } from './workload.js';

/** What one run of one task type cost through the router at one token scale. */
export interface RunCost {
  typeId: string;
  scale: number;
  /** Sum of the run's ledger rows. */
  costMicros: number;
  tasks: number;
}

export function runKey(typeId: string, scale: number): string {
  return `${typeId}@${scale}`;
}

const RUNS_TIMEOUT_MS = 120_000;

/**
 * One representative run of each task type at each of its scales, through the brain's router and
 * gateway, costed from the brain's ledger. A baseline brain has no budgets and no rules, so every
 * run of a type is routed and priced the same: one run times the month's run count is that type's
 * monthly bill. Every task must run its calls; anything else (a refusal, a failure, a task routed
 * to `tool`) fails the baseline with the reason, since its bill would be silently short.
 */
export async function representativeRuns(opts: {
  brain: BrainRouter;
  agents: SimulatedAgents;
  runs: Array<{ task: WorkloadTask; scale: number }>;
}): Promise<Map<string, RunCost>> {
  const { brain, agents } = opts;
  const keyOfTask = new Map<string, string>();
  const costs = new Map<string, RunCost>();
  const ended: Promise<TaskOutcome>[] = [];
  for (const { task, scale } of opts.runs) {
    const key = runKey(task.id, scale);
    const tasks = planRun(task, scale);
    costs.set(key, { typeId: task.id, scale, costMicros: 0, tasks: tasks.length });
    for (const calls of tasks) {
      const outcome = agents.submit({
        typeId: task.id,
        skill: task.skill,
        purpose: task.purpose,
        scale,
        run: 0,
        minute: 0,
        calls,
      });
      ended.push(
        outcome.then((o) => {
          keyOfTask.set(o.taskId, key);
          return o;
        }),
      );
    }
  }
  const outcomes = await withTimeout(Promise.all(ended), RUNS_TIMEOUT_MS, () => {
    return `${brain.brain}: ${agents.inFlight} of ${ended.length} representative tasks did not end within ${RUNS_TIMEOUT_MS} ms`;
  });
  const bad = outcomes.filter((o) => o.kind !== 'ran');
  if (bad.length > 0) {
    const first = bad[0]!;
    const why = first.kind === 'tool' ? 'routed to tool' : `${first.kind}: ${first.reason}`;
    throw new Error(
      `${brain.brain}: ${bad.length} representative task(s) did not run their calls (first, ${keyOfTask.get(first.taskId)}: ${why})`,
    );
  }
  await brain.router.ledger.flush();
  for (const line of await readLedger(brain.pool, brain.schema)) {
    const key = keyOfTask.get(line.taskId);
    const cost = key === undefined ? undefined : costs.get(key);
    if (cost) cost.costMicros += line.costMicros;
  }
  return costs;
}
