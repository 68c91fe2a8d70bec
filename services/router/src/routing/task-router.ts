import { ForgeError, isForgeError, type RoutingDecision, type TaskEnvelope } from '@forge/contracts';
import { toRoutingDecision } from '@forge/policy';
import {
  createFromEnvelope,
  type RoutingDecisionRecord,
  type RoutingDecisionRepository,
  type RoutingStatus,
  type TaskRepository,
} from '@forge/store';
import { inputTokensEstimate, principalOf, type RouteDecider } from './route-decider.js';
import type { RoutingConfigSource } from './routing-config-source.js';
import type { SkillCache } from './skill-cache.js';

/**
 * The task has no row and its idempotency key names another task of the caller (`duplicateOf`):
 * a Postgres crash lost the edge's non-durable insert and the caller retried the message first.
 * Its own row can never be made under that key, so it is not routed: the consumer drops it.
 */
export class DuplicateEnvelopeError extends ForgeError {
  readonly duplicateOf: string;

  constructor(taskId: string, duplicateOf: string) {
    super('CONFLICT', `task ${taskId}: its idempotency key names task ${duplicateOf}; a duplicate`, {
      retryable: false,
      details: { taskId, duplicateOf },
    });
    this.duplicateOf = duplicateOf;
  }
}

/** What routing a task came to. */
export type TaskRouting =
  | { kind: 'unknown-skill'; reason: string }
  /** `stamped`: the routing the task row holds (what to forward with), null unless routed. */
  | { kind: 'decided'; record: RoutingDecisionRecord; reused: boolean; stamped: RoutingDecision | null };

export interface TaskRouterDeps {
  source: RoutingConfigSource;
  skills: SkillCache;
  decider: RouteDecider;
  decisions: RoutingDecisionRepository;
  tasks: TaskRepository;
}

/**
 * Decides a task's route once and records it: a `routing_decisions` row (first wins) and, for a
 * routed task, `tasks.routing` (setRouting keeps the first). A task decided before (a
 * redelivery, another replica) gets its stored decision back, never a new one.
 */
export class TaskRouter {
  readonly #deps: TaskRouterDeps;

  constructor(deps: TaskRouterDeps) {
    this.#deps = deps;
  }

  async route(task: TaskEnvelope): Promise<TaskRouting> {
    const { decisions, skills, decider, source } = this.#deps;
    const manifest = await skills.get(task.skill);
    if (!manifest) {
      // A task decided before its skill left the registry keeps its stored decision.
      const stored = await decisions.get(task.id);
      if (stored) {
        const stamped = stored.status === 'routed' ? await this.#stampOrDiscard(task, stored) : null;
        return { kind: 'decided', record: stored, reused: true, stamped };
      }
      return { kind: 'unknown-skill', reason: `unknown skill ${task.skill}: no agent has registered it` };
    }
    // No read of a stored decision first: the insert keeps the first one (a redelivery, another
    // replica) and answers with it, and deciding again costs less than the round trip did.
    const state = source.current;
    const { decision, config, budget } = await decider.decide(
      state.effective,
      {
        skill: manifest,
        origin: task.origin,
        principal: principalOf(task.origin),
        tokensEstimate: inputTokensEstimate(task.input),
      },
      new Date(),
      state.zeroCost,
    );
    const status: RoutingStatus =
      decision.budgetAction === 'reject'
        ? 'rejected'
        : decision.budgetAction === 'queue'
          ? 'queued'
          : 'routed';
    const { record, created, stamped } = await decisions.recordAndStamp({
      taskId: task.id,
      skill: task.skill,
      agent: manifest.agent,
      origin: task.origin,
      critical: decision.critical,
      maxTier: decision.maxTier,
      decision: toRoutingDecision(decision, new Date()),
      status,
      budget: { policyVersion: config.version, action: decision.budgetAction, scopes: budget.scopes },
    });
    const routed =
      record.status === 'routed' ? (stamped ?? (await this.#stampOrDiscard(task, record))) : null;
    return { kind: 'decided', record, reused: !created, stamped: routed };
  }

  /**
   * `#stamp`; a task found to be a duplicate (its row can never be made) loses the decision just
   * recorded for it, so no orphan row stays. Found only on this rare path (no task row): the common
   * path pays no round trip for it.
   */
  async #stampOrDiscard(task: TaskEnvelope, record: RoutingDecisionRecord): Promise<RoutingDecision> {
    try {
      return await this.#stamp(task, record);
    } catch (error) {
      if (error instanceof DuplicateEnvelopeError) await this.#deps.decisions.discard(task.id);
      throw error;
    }
  }

  /**
   * Stores the decision on the task (kept if one is there); creates the task row if there is none
   * (the publisher made none, or a Postgres crash lost the edge's non-durable insert). The row so
   * made is the envelope's: it holds no A2A history, since the envelope carries the skill's input,
   * not the caller's message.
   */
  async #stamp(task: TaskEnvelope, record: RoutingDecisionRecord): Promise<RoutingDecision> {
    const { tasks } = this.#deps;
    try {
      return await tasks.setRouting(task.id, record.decision);
    } catch (error) {
      if (!isForgeError(error, 'NOT_FOUND')) throw error;
      const made = await createFromEnvelope(tasks, { ...task, routing: record.decision });
      if ('duplicateOf' in made) throw new DuplicateEnvelopeError(task.id, made.duplicateOf);
      return made.record.routing ?? (await tasks.setRouting(task.id, record.decision));
    }
  }
}
