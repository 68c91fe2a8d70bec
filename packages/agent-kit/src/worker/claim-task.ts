import { isForgeError, isTerminal, splitSkillRef, type TaskEnvelope, type TaskState } from '@forge/contracts';
import { createFromEnvelope, type TaskRecord } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import type { AgentDefinition } from '../skills/define-agent.js';
import type { Skill } from '../skills/define-skill.js';
import { commitEnd, type EndDeps } from './task-end.js';

export interface ClaimDeps extends EndDeps {
  agent: AgentDefinition;
}

/** A task this delivery moved to `working`, and the skill to run. */
export interface Claim {
  readonly record: TaskRecord;
  readonly skill: Skill;
}

/** The states from which a delivery starts (or resumes) the task. */
const STARTABLE: ReadonlySet<TaskState> = new Set(['submitted', 'input-required', 'auth-required']);

function skillOf(agent: AgentDefinition, ref: string): Skill | undefined {
  const { agent: owner, skill } = splitSkillRef(ref);
  return owner === agent.name ? agent.skill(skill) : undefined;
}

function expired(deadline: string | undefined): boolean {
  return deadline !== undefined && Date.parse(deadline) <= Date.now();
}

/**
 * Moves the task of one delivery to `working` (a new attempt) and announces it, or settles what
 * its state calls for instead: null when there is nothing to run (a duplicate dropped, an ended
 * task skipped, or an outcome committed: unknown skill, cancel requested, deadline passed).
 *
 * The common case, the first delivery of a task the edge (or the router) created, is one
 * statement: a compare-and-set from `submitted`. The claim is not flushed to disk before it
 * returns (`durable: false`): a Postgres crash can lose only that mark, the message is not acked
 * and comes again, and the end state's commit (with `claimSeq`) flushes it or redoes it. Anything else (no row yet, a redelivery, a
 * resume, an ended task) reads the record and decides.
 */
export async function claimTask(
  deps: ClaimDeps,
  envelope: TaskEnvelope,
  deliveryCount: number,
  logger: Logger,
): Promise<Claim | null> {
  if (deliveryCount === 1 && skillOf(deps.agent, envelope.skill) && !expired(envelope.deadline)) {
    try {
      const working = await deps.tasks.transition(envelope.id, {
        to: 'working',
        from: ['submitted'],
        newAttempt: true,
        durable: false,
      });
      deps.status.publish(working);
      const skill = skillOf(deps.agent, working.skill);
      if (skill) return { record: working, skill };
      await failUnknownSkill(deps, working);
      return null;
    } catch (error) {
      if (!isForgeError(error, 'ILLEGAL_TRANSITION') && !isForgeError(error, 'NOT_FOUND')) throw error;
    }
  }
  return claimFromRecord(deps, envelope, deliveryCount, logger);
}

async function claimFromRecord(
  deps: ClaimDeps,
  envelope: TaskEnvelope,
  deliveryCount: number,
  logger: Logger,
): Promise<Claim | null> {
  const { tasks } = deps;
  // No row: made from the envelope (the router normally made it already), unless its key names
  // another task of the caller (a crash lost this one's row and the caller retried first).
  const found = await tasks.get(envelope.id);
  const made = found ? { record: found } : await createFromEnvelope(tasks, envelope);
  if ('duplicateOf' in made) {
    logger.warn(
      { duplicateOf: made.duplicateOf },
      'task has no row and its idempotency key names another task: duplicate dropped',
    );
    return null;
  }
  const { record } = made;
  if (isTerminal(record.state)) {
    logger.debug({ state: record.state }, 'task already ended: message dropped');
    return null;
  }
  if (record.state === 'working' && deliveryCount === 1) {
    // A second message for a task another delivery holds (a re-publish): that delivery owns it.
    logger.info('task is already working under another message: duplicate dropped');
    return null;
  }
  const skill = skillOf(deps.agent, record.skill);
  if (!skill) {
    await failUnknownSkill(deps, record);
    return null;
  }
  if (record.a2a.metadata.cancelRequested !== undefined) {
    await commitEnd(deps, record, { to: 'canceled', message: 'canceled before it started' });
    return null;
  }
  const deadline = envelope.deadline ?? record.deadline;
  if (expired(deadline)) {
    await commitEnd(deps, record, {
      to: 'failed',
      error: { code: 'DEADLINE_EXCEEDED', message: `the deadline ${deadline} passed before the task ran` },
    });
    return null;
  }
  const from = record.state;
  if (!STARTABLE.has(from) && from !== 'working') {
    logger.warn({ state: from }, 'task is in a state a worker cannot start from: dropped');
    return null;
  }
  try {
    const working = await tasks.transition(record.id, {
      to: 'working',
      from: [from],
      newAttempt: true,
      durable: false,
    });
    deps.status.publish(working);
    return { record: working, skill };
  } catch (error) {
    if (!isForgeError(error, 'ILLEGAL_TRANSITION')) throw error;
    logger.info({ err: error.message }, 'task moved by someone else before it started: dropped');
    return null;
  }
}

function failUnknownSkill(deps: ClaimDeps, record: TaskRecord): Promise<void> {
  return commitEnd(deps, record, {
    to: 'failed',
    error: { code: 'UNKNOWN_SKILL', message: `agent ${deps.agent.name} has no skill ${record.skill}` },
  });
}
