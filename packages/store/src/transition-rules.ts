import { ForgeError, statesAllowingMoveTo, type TaskState } from '@forge/contracts';

/**
 * The states a task may be in for this move to happen: the legal predecessors of `to`, narrowed
 * to `from` when the caller names the states it expects (compare-and-set).
 */
export function allowedFromStates(to: TaskState, from?: readonly TaskState[]): TaskState[] {
  const legal = statesAllowingMoveTo(to);
  return from === undefined ? legal : legal.filter((state) => from.includes(state));
}

/** The error for a move that did not happen although the task exists. */
export function illegalTransition(
  id: string,
  actual: TaskState,
  to: TaskState,
  from?: readonly TaskState[],
): ForgeError {
  const expected = from === undefined ? '' : ` (expected it in ${from.join(' | ')})`;
  return new ForgeError('ILLEGAL_TRANSITION', `task ${id} cannot move from ${actual} to ${to}${expected}`, {
    retryable: false,
    details: { taskId: id, from: actual, to, ...(from === undefined ? {} : { expected: [...from] }) },
  });
}

export function taskNotFound(id: string): ForgeError {
  return new ForgeError('NOT_FOUND', `task ${id} not found`, { retryable: false, details: { taskId: id } });
}
