import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { Message } from '@a2a-js/sdk';
import {
  ForgeError,
  INTERRUPTED_STATES,
  isForgeError,
  isTerminal,
  originOfPrincipal,
  type TaskEnvelope,
} from '@forge/contracts';
import type { TaskRecord, TaskRepository } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import type { TaskDispatcher } from '../ports/ports.js';
import type { AgentDefinition } from '../skills/define-agent.js';
import type { Skill } from '../skills/define-skill.js';
import { messageInput, parseSkillInput, resolveSkillCall } from '../skills/skill-message.js';
import { taskNotFound } from './a2a-errors.js';
import type { Caller } from './caller.js';
import { checkContentTypes } from './content-types.js';
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
  /** The skill the task runs (its `answer` decides whether the caller gets a task or a message). */
  readonly skill: Skill;
  /** True when this message resumes an interrupted task: relay past its current state. */
  readonly resuming: boolean;
  /** True when `send()` publishes the task before anything else (a new task, a resume): see
   *  `SubscribeOptions.publishingNext`. False when it reads Postgres first (a replay). */
  readonly publishes: boolean;
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

/**
 * The JetStream msgId of the publish that carries one message of a task: the task and the A2A
 * messageId, so a re-publish of the same message is stored once and the task's next message
 * (a follow-up to input-required) never is mistaken for it (the router's forward names it too).
 */
export function taskMessageMsgId(taskId: string, messageId: string): string {
  return `${taskId}:${messageId}`;
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

function skillOfRecord(deps: SubmitDeps, record: TaskRecord): Skill | undefined {
  return deps.agent.skill(record.skill.slice(record.skill.indexOf('.') + 1));
}

/** The message as the task stores it: protocol JSON, with the task's ids filled in. */
function storedForm(message: Message, record: Pick<TaskRecord, 'id' | 'contextId'>): unknown {
  return Message.toJSON({ ...message, taskId: record.id, contextId: record.contextId });
}

/** The task's history entry of `messageId`, if it holds one. */
function historyEntry(record: TaskRecord, messageId: string): unknown {
  return record.a2a.history.find(
    (m) => typeof m === 'object' && m !== null && (m as { messageId?: unknown }).messageId === messageId,
  );
}

/** True when the task's history holds the message `messageId`. */
export function historyHas(record: TaskRecord, messageId: string): boolean {
  return historyEntry(record, messageId) !== undefined;
}

function reusedMessageId(messageId: string, why: string): ForgeError {
  return new ForgeError(
    'CONFLICT',
    `message.messageId: ${messageId} was already sent with ${why}; a new message needs a new messageId`,
    { details: { field: 'message.messageId' } },
  );
}

/** The store's CONFLICT for a key another message holds, as the caller's field. */
function keyTaken(error: unknown, messageId: string): unknown {
  if (!isForgeError(error, 'CONFLICT')) return error;
  const taskId = error.details?.taskId;
  return reusedMessageId(messageId, typeof taskId === 'string' ? `task ${taskId}` : 'another message');
}

/**
 * The same caller sent `messageId` before, as the message stored in `record`: a replay when the
 * message is the same (same parts, metadata, context and task), CONFLICT naming what differs
 * otherwise (A2A v1.0 §3.3.1 lets an agent detect duplicates by messageId; a different message
 * under a used id must not be answered with another task).
 */
function checkReplay(record: TaskRecord, message: Message): void {
  if (message.taskId && message.taskId.toLowerCase() !== record.id)
    throw reusedMessageId(message.messageId, `task ${record.id}`);
  if (message.contextId && message.contextId !== record.contextId) {
    throw reusedMessageId(message.messageId, `context ${record.contextId}`);
  }
  // A task made without the caller's message in its history (not by this edge) has nothing to
  // compare: the key alone decides, as before there were histories.
  const stored = historyEntry(record, message.messageId);
  if (stored !== undefined && !isDeepStrictEqual(stored, storedForm(message, record))) {
    throw reusedMessageId(message.messageId, 'other content');
  }
}

/**
 * New task: resolves the skill, checks the message's media types against it (UNSUPPORTED_CONTENT_TYPE)
 * and validates the input (BAD_INPUT / UNKNOWN_SKILL naming the field), then creates the record
 * under the idempotency key. The same call again (same caller, same messageId, same message)
 * finds the first task: nothing new is created, and it is re-published only if it never left
 * `submitted` (the first publish may have been lost with its process). The same messageId with
 * another message is CONFLICT.
 *
 * A message with a `taskId` resumes that task (the caller's own, waiting in input-required):
 * the skill runs again with this message's input.
 *
 * `durable: false` (default true): the new task's INSERT does not wait for its WAL flush (see
 * `CreateTaskOptions.durable`): only for a caller that shows the task to no one before a durable
 * commit after it (the blocking SendMessage).
 */
export async function submitMessage(
  deps: SubmitDeps,
  params: SendParams,
  caller: Caller,
  opts: { durable?: boolean } = {},
): Promise<Submission> {
  const { message } = params;
  const idempotencyKey = a2aIdempotencyKey(caller.principal, message.messageId);
  if (idempotencyKey.length > MAX_KEY_LENGTH) {
    throw new ForgeError('BAD_INPUT', 'message.messageId: too long for this caller', {
      retryable: false,
      details: { field: 'message.messageId' },
    });
  }
  if (message.taskId) return resumeTask(deps, params, caller, idempotencyKey);
  const call = resolveSkillCall(deps.agent, message);
  const skillRef = `${deps.agent.name}.${call.skill.id}`;
  checkContentTypes(skillRef, call.skill, message, params.acceptedOutputModes);
  const input = parseSkillInput(deps.agent.name, call.skill, call.input);
  const id = randomUUID();
  const contextId = message.contextId || randomUUID();
  const envelope: TaskEnvelope = {
    v: 1,
    id,
    skill: skillRef,
    input,
    origin: originOfPrincipal(deps.brain, caller.principal),
    idempotencyKey,
    contextId,
    createdAt: new Date().toISOString(),
  };
  // The caller's message is the task's first history entry, written by the same INSERT as the
  // row: one commit on the call's path, and no row lock for the worker's first write to wait on.
  // A repeated call (same key) finds the first task and adds nothing, so history never doubles.
  const history = [storedForm(message, { id, contextId })];
  const { record, created } = await deps.tasks
    .create(envelope, { a2a: { history }, durable: opts.durable !== false })
    .catch((error: unknown) => {
      throw keyTaken(error, message.messageId);
    });
  if (created) {
    return {
      record,
      skill: call.skill,
      resuming: false,
      publishes: true,
      send: async () => {
        await deps.dispatcher.dispatch(envelope, taskMessageMsgId(record.id, message.messageId));
        return record;
      },
    };
  }
  checkReplay(record, message);
  return {
    record,
    skill: call.skill,
    resuming: false,
    publishes: false,
    send: () => republishIfStuck(deps, record, message.messageId, caller),
  };
}

async function republishIfStuck(
  deps: SubmitDeps,
  first: TaskRecord,
  messageId: string,
  caller: Caller,
): Promise<TaskRecord> {
  const record = (await deps.tasks.getOwned(first.id, caller.principal)) ?? first;
  if (record.state === 'submitted')
    await deps.dispatcher.dispatch(envelopeOf(record, record.input), taskMessageMsgId(record.id, messageId));
  return record;
}

async function resumeTask(
  deps: SubmitDeps,
  params: SendParams,
  caller: Caller,
  idempotencyKey: string,
): Promise<Submission> {
  const { message } = params;
  const record = await deps.tasks.getOwned(message.taskId.toLowerCase(), caller.principal);
  if (!record) throw taskNotFound(message.taskId);
  const skill = skillOfRecord(deps, record);
  // The same resume sent again: answer with the task as it is, publish nothing.
  if (historyHas(record, message.messageId)) {
    checkReplay(record, message);
    return {
      record,
      skill: skill ?? deps.agent.skills[0]!,
      resuming: false,
      publishes: false,
      send: async () => (await deps.tasks.getOwned(record.id, caller.principal)) ?? record,
    };
  }
  // A2A v1.0 §3.4.3: a contextId that is not the task's is refused, never replaced.
  if (message.contextId && message.contextId !== record.contextId) {
    throw new ForgeError('BAD_INPUT', `message.contextId: task ${record.id} belongs to another context`, {
      details: { field: 'message.contextId' },
    });
  }
  if (!INTERRUPTED_STATES.has(record.state)) {
    const why = isTerminal(record.state) ? 'it has ended' : 'it is not waiting for input';
    throw new ForgeError(
      'UNSUPPORTED_OPERATION',
      `message.taskId: task ${record.id} is ${record.state}; ${why}`,
      {
        details: { field: 'message.taskId' },
      },
    );
  }
  if (!skill) {
    throw new ForgeError(
      'UNSUPPORTED_OPERATION',
      `message.taskId: task ${record.id} runs a skill this agent no longer has`,
      {
        details: { field: 'message.taskId' },
      },
    );
  }
  checkContentTypes(record.skill, skill, message, params.acceptedOutputModes);
  const input = parseSkillInput(deps.agent.name, skill, messageInput(message));
  // The follow-up and its key commit together: the messageId names this message of this task.
  await deps.tasks
    .appendMessage(record.id, storedForm(message, record), { idempotencyKey, owner: caller.principal })
    .catch((error: unknown) => {
      throw keyTaken(error, message.messageId);
    });
  return {
    record,
    skill,
    resuming: true,
    publishes: true,
    send: async () => {
      await deps.dispatcher.dispatch(
        { ...envelopeOf(record, input), createdAt: new Date().toISOString() },
        taskMessageMsgId(record.id, message.messageId),
      );
      return record;
    },
  };
}
