import { randomUUID } from 'node:crypto';
import { NatsModelClient } from '@forge/agent-kit';
import type { TaskConsumer } from '@forge/bus';
import {
  isForgeError,
  type ModelPurpose,
  StatusEvent,
  TASK_ENVELOPE_VERSION,
  TaskEnvelope,
  type Tier,
} from '@forge/contracts';
import { PgTaskRepository } from '@forge/store';
import type { FakeLlm } from '@forge/testkit';
import type { BrainRouter } from './brain-router.js';
import { materialOfTokens, type PlannedCall } from './call-plan.js';
import type { SimClock } from './sim-clock.js';

/** One task the bench submits: which task type and run it belongs to, and the calls its skill makes. */
export interface TaskPlan {
  typeId: string;
  skill: string;
  purpose: ModelPurpose;
  /** Multiplier of the task type's token estimates (1, or 0.5 / 2 in sensitivity runs). */
  scale: number;
  run: number;
  /** When the run is scheduled, in minutes from the month's start: the simulated clock of its calls. */
  minute: number;
  calls: PlannedCall[];
}

/** How a task ended, from the bench's side (the ledger and the decision table say the rest). */
export type TaskOutcome =
  /** Routed to `tool`: plain code, no model call. */
  | { kind: 'tool'; taskId: string }
  /** Routed to a model tier; every call answered. */
  | { kind: 'ran'; taskId: string; tier: Tier; costMicros: number; usageMismatches: number; deferred: number }
  /** A call was refused by budget admission (BUDGET_EXHAUSTED); the skill stops there. */
  | { kind: 'refused'; taskId: string; tier: Tier; costMicros: number; reason: string }
  /** A call failed otherwise, or the task came without a routing decision (tier null). */
  | { kind: 'failed'; taskId: string; tier: Tier | null; costMicros: number; code: string; reason: string }
  /** The router did not forward it: queued for approval or rejected by a budget. */
  | { kind: 'held'; taskId: string; state: string; reason: string };

interface Pending {
  plan: TaskPlan;
  resolve(outcome: TaskOutcome): void;
}

/**
 * The bench playing the six agent services of one brain: tasks go to `task.route` as a
 * scheduler would publish them; what the router forwards to `task.run.<agent>` is taken by one
 * durable consumer, and a task routed to a model tier makes its planned calls through agent-kit's
 * `NatsModelClient` (the model gateway over NATS, as skills call it). What the router holds back
 * (queued for approval, rejected) is seen on its status events.
 *
 * Each call sends the task type's stable prefix as a stable part (the same text on every run) and
 * a variable part of its own, each of the planned size; the fake LLM server is scripted with the
 * call's output only, and counts the prompt itself, cache reads and writes included, as the
 * vendor would. Before each call the simulated clock moves to the run's minute. Calls are made one
 * at a time (the fake's script is one queue), and a call that never reached the fake (refused by
 * budget) leaves nothing behind, because the script is cleared first.
 */
export class SimulatedAgents {
  readonly #brain: BrainRouter;
  readonly #fake: FakeLlm;
  readonly #clock: SimClock | undefined;
  readonly #tasks: PgTaskRepository;
  readonly #pending = new Map<string, Pending>();
  #consumer: TaskConsumer | undefined;
  #status: { unsubscribe(): void } | undefined;
  #callChain: Promise<unknown> = Promise.resolve();

  constructor(brain: BrainRouter, fake: FakeLlm, clock?: SimClock) {
    this.#brain = brain;
    this.#fake = fake;
    this.#clock = clock;
    this.#tasks = new PgTaskRepository(brain.pool, brain.schema);
  }

  async start(): Promise<void> {
    const { bus } = this.#brain;
    this.#status = bus.subscribe(bus.subjects.statusAll, StatusEvent, (event) => {
      const pending = this.#take(event.taskId);
      pending?.resolve({
        kind: 'held',
        taskId: event.taskId,
        state: event.state,
        reason: event.message ?? event.error?.message ?? '',
      });
    });
    this.#consumer = bus.consumer({
      stream: bus.subjects.streams.tasks.name,
      durable: 'bench-agents',
      filterSubject: bus.subjects.taskRunAll,
      schema: TaskEnvelope,
      concurrency: 16,
      handler: (task) => this.#run(task),
    });
    await this.#consumer.start();
  }

  async stop(): Promise<void> {
    this.#status?.unsubscribe();
    await this.#consumer?.stop(5_000);
  }

  /**
   * Creates the task's record and publishes it to the router, as a scheduler or the A2A edge
   * does (so the router stamps the existing row), and resolves when the task has ended (see
   * TaskOutcome). Its input carries material of the size the skill would hand a model, so the
   * router's input-size rules see the real size.
   */
  async submit(plan: TaskPlan): Promise<TaskOutcome> {
    const { bus } = this.#brain;
    const id = randomUUID();
    const prompt = plan.calls.reduce((sum, c) => sum + c.promptTokens, 0);
    const envelope: TaskEnvelope = {
      v: TASK_ENVELOPE_VERSION,
      id,
      skill: plan.skill,
      input: { workload: plan.typeId, run: plan.run, scale: plan.scale, material: materialOfTokens(prompt) },
      origin: { kind: 'schedule', brain: this.#brain.brain, by: `schedule:${plan.typeId}` },
      idempotencyKey: `bench:${id}`,
      contextId: `bench:${plan.typeId}`,
      createdAt: new Date().toISOString(),
    };
    const outcome = new Promise<TaskOutcome>((resolve) => this.#pending.set(id, { plan, resolve }));
    await this.#tasks.create(envelope);
    await bus.publish(bus.subjects.taskRoute, TaskEnvelope, envelope, { msgId: `route:${id}` });
    return outcome;
  }

  /** Tasks submitted and not ended yet. */
  get inFlight(): number {
    return this.#pending.size;
  }

  #take(taskId: string): Pending | undefined {
    const pending = this.#pending.get(taskId);
    if (pending) this.#pending.delete(taskId);
    return pending;
  }

  async #run(task: TaskEnvelope): Promise<void> {
    const pending = this.#pending.get(task.id);
    if (!pending) return;
    const tier = task.routing?.tier;
    if (tier === undefined) {
      const reason = 'the router forwarded the task without a routing decision';
      this.#take(task.id)?.resolve({
        kind: 'failed',
        taskId: task.id,
        tier: null,
        costMicros: 0,
        code: 'INTERNAL',
        reason,
      });
      return;
    }
    if (tier === 'tool') {
      this.#take(task.id)?.resolve({ kind: 'tool', taskId: task.id });
      return;
    }
    const { plan } = pending;
    const client = new NatsModelClient(
      this.#brain.bus,
      { taskId: task.id, attempt: 1, skill: task.skill },
      { timeoutMs: 60_000 },
    );
    let costMicros = 0;
    let usageMismatches = 0;
    let deferred = 0;
    let outcome: TaskOutcome | undefined;
    for (const [i, call] of plan.calls.entries()) {
      try {
        const reply = await this.#serially(() => {
          this.#clock?.at(plan.minute);
          this.#fake.clearScript();
          this.#fake.script({ text: 'ok', usage: { outputTokens: call.outputTokens, reasoningTokens: 0 } });
          const stable = materialOfTokens(call.stableTokens, `${plan.typeId} stable ${i}`);
          return client.call(
            {
              purpose: plan.purpose,
              ...(stable === ''
                ? {}
                : { stable: [{ name: 'instructions', role: 'system' as const, text: stable }] }),
              messages: [
                {
                  role: 'user',
                  content: materialOfTokens(call.promptTokens - call.stableTokens, `${task.id} ${i}`),
                },
              ],
              maxTokens: call.maxTokens,
            },
            {
              onWaiting: () => {
                deferred += 1;
              },
            },
          );
        });
        costMicros += reply.costMicros;
        if (!sameUsage(reply.usage, call)) usageMismatches += 1;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        outcome = isForgeError(error, 'BUDGET_EXHAUSTED')
          ? { kind: 'refused', taskId: task.id, tier, costMicros, reason }
          : {
              kind: 'failed',
              taskId: task.id,
              tier,
              costMicros,
              code: isForgeError(error) ? error.code : 'INTERNAL',
              reason,
            };
        break;
      }
    }
    this.#take(task.id)?.resolve(
      outcome ?? { kind: 'ran', taskId: task.id, tier, costMicros, usageMismatches, deferred },
    );
  }

  /** Runs `fn` after every call queued before it: the fake's script is one queue for all calls. */
  #serially<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#callChain.then(fn, fn);
    this.#callChain = next.catch(() => undefined);
    return next;
  }
}

/** Whether the gateway billed the prompt and output planned (a retry, fallback or escalation would not). */
function sameUsage(
  usage: {
    inputTokens: number;
    outputTokens: number;
    cacheReadTokens: number;
    cacheWriteTokens: number;
    cacheWrite1hTokens: number;
  },
  call: PlannedCall,
): boolean {
  const prompt =
    usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens + usage.cacheWrite1hTokens;
  return prompt === call.promptTokens && usage.outputTokens === call.outputTokens;
}
