import { Message, type StreamResponse } from '@a2a-js/sdk';
import type { TaskRecord } from '@forge/store';
import { endsSubscription, type TaskFeed } from './task-feed.js';
import { toA2ATask } from './task-mapping.js';

/** The reply a message skill committed (its messageId is in `a2a.metadata.reply`), if any. */
export function replyOf(record: TaskRecord): Message | undefined {
  const id = record.a2a.metadata.reply;
  if (typeof id !== 'string') return undefined;
  const json = record.a2a.history.find((m) => (m as { messageId?: unknown } | null)?.messageId === id);
  return json === undefined ? undefined : Message.fromJSON(json);
}

/**
 * The one event of a message skill's stream (A2A v1.0 §3.1.2): its Message once it replied; the
 * task as it ended (a lifecycle stream of one event) when it ended otherwise. Waits for the end
 * of the task (or `signal`), reading the reply from the committed record.
 */
export async function messageAnswer(
  feed: TaskFeed,
  start: TaskRecord,
  signal: AbortSignal,
  resuming: boolean,
  load: () => Promise<TaskRecord | null>,
): Promise<StreamResponse> {
  for await (const _change of feed.follow(start, signal, { resuming, until: endsSubscription })) {
    // Only the end matters: the reply is read from the committed record.
  }
  const final = (await load()) ?? start;
  const message = replyOf(final);
  return message
    ? { payload: { $case: 'message', value: message } }
    : { payload: { $case: 'task', value: toA2ATask(final) } };
}
