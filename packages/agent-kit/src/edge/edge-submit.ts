import { randomUUID } from 'node:crypto';
import { Message } from '@a2a-js/sdk';
import { UnsupportedOperationError } from '@a2a-js/sdk/errors';
import { ForgeError, INTERRUPTED_STATES, isTerminal, type TaskEnvelope } from '@forge/contracts';
import type { TaskRecord, TaskRepository } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import type { TaskDispatcher } from '../ports/ports.js';
import type { AgentDefinition } from '../skills/define-agent.js';
import { messageInput, parseSkillInput, resolveSkillCall } from '../skills/skill-message.js';
import { taskNotFound } from './a2a-errors.js';
import type { Caller } from './caller.js';
import type { SendParams } from './send-params.js';

export interface SubmitDeps {
  agent: AgentDefinition;
  brain: string;
  tasks: TaskRepository;
  dispatcher: TaskDispatcher;
  logger: Logger;
}

/**
 * A SendMessage turned into a task, not yet on the bus. The caller opens its status feed first,
 * then calls `send()`, which publishes (when there is something to publish) and returns the
 * record to relay from: subscribe, then publish.
 */
export interface Submission {
  readonly record: TaskRecord;
  /** True when this message resumes an interrupted task: relay past its current state. */
  readonly resuming: boolean;
  send(): Promise<TaskRecord>;
}

/** The longest idempotency key a task envelope takes. */
const MAX_KEY_LENGTH = 400;

/**
 * The idempotency key of an A2A call: the caller plus the A2A messageId. `%` and `:` in the
 * principal are escaped, so the first `:` after the prefix always ends it: principal `a:b` with
 * messageId `c` and principal `a` with messageId `b:c` are different calls. Principals without
 * those characters (`operator`) keep their plain key.
 */
export function a2aIdempotencyKey(principal: string, messageId: string): string {
  const escaped = principal.replaceAll('%', '%25').replaceAll(':', '%3A');
  return `a2a:${escaped}:${messageId}`;
}

function envelopeOf(record: TaskRecord, input: unknown): TaskEnvelope {
  return {
    v: 1,
    id: record.id,
    skill: record.skill,
    input,
    origin: record.origin,
    idempotencyKey: record.idempotencyKey,
    contextId: record.contextId,
    createdAt: record.createdAt,
    ...(record.parentId ? { parentId: record.parentId } : {}),
    ...(record.deadline ? { deadline: record.deadline } : {}),
    ...(record.routing ? { routing: record.routing } : {}),
  };
}

/**
 * New task: resolves the skill and validates the input (BAD_INPUT / UNKNOWN_SKILL naming the
 * field), then creates the record under the idempotency key. The same call again (same caller,
 * same messageId) finds the first task: nothing new is created, and it is re-published only if
 * it never left `submitted` (the first publish may have been lost with its process); the msgId
 * is the task id, so JetStream stores such a re-publish once within its duplicate window.
 *
 * A message with a `taskId` resumes that task (the caller's own, waiting in input-required):
 * the skill runs again with this message's input.
 */
export async function submitMessage(
  deps: SubmitDeps,
  params: SendParams,
  caller: Caller,
): Promise<Submission> {
  const { message } = params;
  if (message.taskId) return resumeTask(deps, message, caller);
  const call = resolveSkillCall(deps.agent, message);
  const input = parseSkillInput(deps.agent.name, call.skill, call.input);
  const id = randomUUID();
  const contextId = message.contextId || randomUUID();
  const idempotencyKey = a2aIdempotencyKey(caller.principal, message.messageId);
  if (idempotencyKey.length > MAX_KEY_LENGTH) {
    throw new ForgeError('BAD_INPUT', 'message.messageId: too long for this caller', {
      retryable: false,
      details: { field: 'message.messageId' },
    });
  }
  const envelope: TaskEnvelope = {
    v: 1,
    id,
    skill: `${deps.agent.name}.${call.skill.id}`,
    input,
    origin: { kind: 'a2a', brain: deps.brain, by: caller.principal },
    idempotencyKey,
    contextId,
    createdAt: new Date().toISOString(),
  };
  // The caller's message is the task's first history entry, written by the same INSERT as the
  // row: one commit on the call's path, and no row lock for the worker's first write to wait on.
  // A repeated call (same key) finds the first task and adds nothing, so history never doubles.
  const history = [Message.toJSON({ ...message, taskId: id, contextId })];
  const { record, created } = await deps.tasks.create(envelope, { a2a: { history } });
  if (created) {
    return {
      record,
      resuming: false,
      send: async () => {
        await deps.dispatcher.dispatch(envelope, record.id);
        return record;
      },
    };
  }
  return { record, resuming: false, send: () => republishIfStuck(deps, record, caller) };
}

/** True when the task's history holds the message `messageId`. */
export function historyHas(record: TaskRecord, messageId: string): boolean {
  return record.a2a.history.some(
    (m) => typeof m === 'object' && m !== null && (m as { messageId?: unknown }).messageId === messageId,
  );
}

async function republishIfStuck(deps: SubmitDeps, first: TaskRecord, caller: Caller): Promise<TaskRecord> {
  const record = (await deps.tasks.getOwned(first.id, caller.principal)) ?? first;
  if (record.state === 'submitted')
    await deps.dispatcher.dispatch(envelopeOf(record, record.input), record.id);
  return record;
}

async function resumeTask(deps: SubmitDeps, message: Message, caller: Caller): Promise<Submission> {
  const record = await deps.tasks.getOwned(message.taskId, caller.principal);
  if (!record) throw taskNotFound(message.taskId);
  // The same resume sent again: answer with the task as it is, publish nothing.
  if (historyHas(record, message.messageId)) {
    return {
      record,
      resuming: false,
      send: async () => (await deps.tasks.getOwned(record.id, caller.principal)) ?? record,
    };
  }
  if (!INTERRUPTED_STATES.has(record.state)) {
    const why = isTerminal(record.state) ? 'it has ended' : 'it is not waiting for input';
    throw new UnsupportedOperationError(`message.taskId: task ${record.id} is ${record.state}; ${why}`);
  }
  const skill = deps.agent.skill(record.skill.slice(record.skill.indexOf('.') + 1));
  if (!skill)
    throw new UnsupportedOperationError(
      `message.taskId: task ${record.id} runs a skill this agent no longer has`,
    );
  const input = parseSkillInput(deps.agent.name, skill, messageInput(message));
  await deps.tasks.updateA2A(record.id, {
    history: [Message.toJSON({ ...message, taskId: record.id, contextId: record.contextId })],
  });
  return {
    record,
    resuming: true,
    send: async () => {
      await deps.dispatcher.dispatch(
        { ...envelopeOf(record, input), createdAt: new Date().toISOString() },
        `${record.id}:${message.messageId}`,
      );
      return record;
    },
  };
}
