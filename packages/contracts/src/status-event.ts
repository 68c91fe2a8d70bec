import { z } from 'zod';
import { TaskState } from './task-state.js';

export const STATUS_EVENT_VERSION = 1;

/** What a task failed with, safe to show its caller. */
export const TaskError = z.object({
  code: z.string().min(1),
  message: z.string(),
});
export type TaskError = z.infer<typeof TaskError>;

/**
 * A task's state change, published by the worker that holds the task after the change is
 * committed in Postgres. `seq` grows by one per committed change, so a listener can tell a
 * stale event from a new one. Postgres stays the truth; these events are notifications.
 */
export const StatusEvent = z.object({
  v: z.literal(STATUS_EVENT_VERSION),
  taskId: z.uuid(),
  state: TaskState,
  seq: z.number().int().nonnegative(),
  at: z.iso.datetime(),
  /** A human-readable line: progress, why input is required, why it failed. */
  message: z.string().optional(),
  output: z.unknown().optional(),
  error: TaskError.optional(),
});
export type StatusEvent = z.infer<typeof StatusEvent>;

export const CANCEL_REQUEST_VERSION = 1;

/** Asks the worker holding a task to abort it and write CANCELED itself. */
export const CancelRequest = z.object({
  v: z.literal(CANCEL_REQUEST_VERSION),
  taskId: z.uuid(),
  by: z.string().min(1),
  reason: z.string().max(500).optional(),
});
export type CancelRequest = z.infer<typeof CancelRequest>;

/** The worker's answer: whether it held the task and aborted it. */
export const CancelReply = z.object({
  v: z.literal(CANCEL_REQUEST_VERSION),
  taskId: z.uuid(),
  held: z.boolean(),
});
export type CancelReply = z.infer<typeof CancelReply>;
