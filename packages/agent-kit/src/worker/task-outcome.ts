import { randomUUID } from 'node:crypto';
import { callerError, errorDetail, type ForgeError, type TaskError } from '@forge/contracts';
import type { TaskRecord, TransitionChange } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import { partToJson } from '../skills/skill-parts.js';
import type { SkillReply } from '../skills/skill-result.js';

/**
 * What a failed task shows its caller: the code, and a message from the error table. A fault of
 * the service keeps its driver text, addresses and causes to the log line, under the error id
 * the caller sees; a caller's own mistake (bad input) is shown as thrown.
 */
export function taskErrorOf(error: ForgeError, logger: Logger, prefix = ''): TaskError {
  const view = callerError(error);
  if (view.spec.showsMessage) return { code: error.code, message: `${prefix}${error.message}` };
  logger.warn({ errorId: view.errorId, code: error.code, err: errorDetail(error) }, 'task failed');
  return { code: error.code, message: `${prefix}${view.message}` };
}

/**
 * The end of a message skill's run: its reply committed as the agent's message in the task's
 * history (`a2a.metadata.reply` names it), the task completed, in one statement.
 */
export function replyChange(record: TaskRecord, result: SkillReply): Omit<TransitionChange, 'from'> {
  const messageId = randomUUID();
  const message = {
    messageId,
    contextId: record.contextId,
    role: 'ROLE_AGENT',
    parts: result.parts.map(partToJson),
    ...(result.metadata ? { metadata: result.metadata } : {}),
  };
  return { to: 'completed', history: [message], metadata: { reply: messageId } };
}
