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
 * Part of an artifact a skill produced, as A2A `TaskArtifactUpdateEvent` carries it: the parts
 * as A2A v1.0 protocol JSON. `append` adds the parts to the artifact of that id (a chunk of a
 * streamed artifact); otherwise they replace it. `lastChunk` says the artifact is complete.
 */
export const ArtifactChunk = z.object({
  artifactId: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
  description: z.string().max(2000).optional(),
  parts: z.array(z.record(z.string(), z.unknown())).max(100),
  metadata: z.record(z.string(), z.unknown()).optional(),
  append: z.boolean(),
  lastChunk: z.boolean(),
});
export type ArtifactChunk = z.infer<typeof ArtifactChunk>;

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
  /** The artifact chunk this change committed (the state stays as it was). */
  artifact: ArtifactChunk.optional(),
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
