import { z } from 'zod';

/** Task states, named as A2A names them (kebab-case); agent-kit maps them to the SDK's enum. */
export const TASK_STATES = [
  'submitted',
  'working',
  'input-required',
  'auth-required',
  'completed',
  'failed',
  'canceled',
  'rejected',
] as const;
export const TaskState = z.enum(TASK_STATES);
export type TaskState = z.infer<typeof TaskState>;

export const TERMINAL_STATES: ReadonlySet<TaskState> = new Set([
  'completed',
  'failed',
  'canceled',
  'rejected',
]);
/** States where the task waits on someone outside Forge; a stream ends here, the task does not. */
export const INTERRUPTED_STATES: ReadonlySet<TaskState> = new Set(['input-required', 'auth-required']);

export function isTerminal(state: TaskState): boolean {
  return TERMINAL_STATES.has(state);
}

/**
 * The legal moves. Nothing leaves a terminal state and nothing goes back to `submitted`.
 * `working → working` is a new attempt of the same task (a redelivery after a crash).
 */
const LEGAL: Readonly<Record<TaskState, readonly TaskState[]>> = {
  submitted: ['working', 'canceled', 'rejected', 'failed'],
  // A skill may refuse the work once it has looked at it (A2A: `rejected`, §4.1.3).
  working: ['working', 'input-required', 'auth-required', 'completed', 'failed', 'canceled', 'rejected'],
  'input-required': ['working', 'canceled', 'failed'],
  'auth-required': ['working', 'canceled', 'failed'],
  completed: [],
  failed: [],
  canceled: [],
  rejected: [],
};

export function canTransition(from: TaskState, to: TaskState): boolean {
  return LEGAL[from].includes(to);
}

/** The states a task may be in for a move to `to` to be legal. */
export function statesAllowingMoveTo(to: TaskState): TaskState[] {
  return TASK_STATES.filter((from) => LEGAL[from].includes(to));
}
