import { type Message, type Part, type Task, TaskState, taskStateToJSON } from '@a2a-js/sdk';

/** `TASK_STATE_INPUT_REQUIRED` → `input-required`, the name Forge and the A2A docs use. */
export function stateName(state: TaskState | undefined): string {
  if (state === undefined) return 'unknown';
  return taskStateToJSON(state)
    .replace(/^TASK_STATE_/, '')
    .toLowerCase()
    .replaceAll('_', '-');
}

const SETTLED = new Set<TaskState>([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
  TaskState.TASK_STATE_INPUT_REQUIRED,
  TaskState.TASK_STATE_AUTH_REQUIRED,
]);

/** Whether the task is done (terminal) or waiting on its caller (interrupted). */
export function isSettled(task: Task): boolean {
  return task.status !== undefined && SETTLED.has(task.status.state);
}

/** Whether `forge send` should exit 1 for this task. */
export function isFailure(task: Task): boolean {
  const state = task.status?.state;
  return state === TaskState.TASK_STATE_FAILED || state === TaskState.TASK_STATE_REJECTED;
}

/** Tells a Task from a Message in a SendMessage result. */
export function isTask(result: Task | Message): result is Task {
  return 'status' in result && 'artifacts' in result;
}

function partText(part: Part): string | null {
  const content = part.content;
  if (!content) return null;
  switch (content.$case) {
    case 'text':
      return content.value;
    case 'data':
      return JSON.stringify(content.value, null, 2);
    case 'url':
      return content.value;
    case 'raw':
      return `(${content.value.length} bytes${part.mediaType ? ` of ${part.mediaType}` : ''})`;
  }
}

/** The text of a message's parts, joined; '' when it has none. */
export function messageText(message: Message | undefined): string {
  return (message?.parts ?? [])
    .map(partText)
    .filter((text): text is string => text !== null)
    .join('\n');
}

/** A short human view of a task: its id and state, its status message, then its artifacts. */
export function describeTask(task: Task): string[] {
  const lines = [`task ${task.id}: ${stateName(task.status?.state)}`];
  const status = messageText(task.status?.message);
  if (status) lines.push(`  ${status}`);
  for (const artifact of task.artifacts) {
    lines.push(`artifact ${artifact.name || artifact.artifactId}:`);
    for (const part of artifact.parts) {
      const text = partText(part);
      if (text !== null) lines.push(text);
    }
  }
  return lines;
}
