import { type SkillMetadata, type SkillPart, toParts } from './skill-parts.js';

const REPLY = Symbol.for('forge.skill.reply');

/**
 * A direct A2A `Message` answer (A2A v1.0 §3.1.1): what a skill declared with `answer: 'message'`
 * returns instead of its JSON output. The caller gets this message, not a task.
 */
export interface SkillReply {
  readonly [REPLY]: true;
  readonly parts: readonly SkillPart[];
  readonly metadata?: SkillMetadata;
}

/** What a handler resolves with: its JSON output (validated by `output`), or a `reply(...)`. */
export type SkillResult<O> = O | SkillReply;

/** The reply of a message skill: text, or parts (text, files, data). */
export function reply(
  content: string | readonly SkillPart[],
  options: { metadata?: SkillMetadata } = {},
): SkillReply {
  return {
    [REPLY]: true,
    parts: toParts(content),
    ...(options.metadata ? { metadata: options.metadata } : {}),
  };
}

export function isSkillReply(value: unknown): value is SkillReply {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[REPLY] === true;
}

/**
 * Thrown by `ctx.reject(reason)`: the skill refuses the task (A2A `rejected`). An outcome, not a
 * failure: never retried or dead-lettered.
 */
export class RejectSignal extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(`rejected: ${reason}`);
    this.name = 'RejectSignal';
    this.reason = reason;
  }
}

export function isRejected(error: unknown): error is RejectSignal {
  return error instanceof RejectSignal;
}
