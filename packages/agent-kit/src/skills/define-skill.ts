import {
  ForgeError,
  type Origin,
  parseOrThrow,
  type RoutingDecision,
  SkillId,
  type SkillRef,
  Tier,
} from '@forge/contracts';
import type { Logger } from '@forge/telemetry';
import { z } from 'zod';
import type { ModelClient } from '../models/model-client.js';

/** The task a skill handler is running, as the handler may see it. */
export interface SkillTask {
  readonly id: string;
  readonly skill: SkillRef;
  readonly origin: Origin;
  readonly contextId: string;
  /** 1 on the first run; grows on each redelivery or resume. */
  readonly attempt: number;
  readonly routing?: RoutingDecision | undefined;
  readonly parentId?: string | undefined;
  readonly deadline?: string | undefined;
}

/** What a skill handler gets besides its input. */
export interface SkillContext {
  readonly task: SkillTask;
  /** Aborted when the task is canceled, its deadline passes, or the service shuts down. */
  readonly signal: AbortSignal;
  /** A child logger carrying `taskId` and `skill`. */
  readonly logger: Logger;
  /** The only way to a model; bound to this attempt of this task. A call given no `signal` of
   *  its own stops when `signal` above aborts. */
  readonly models: ModelClient;
  /** Records a `working` status line (persisted, streamed to the caller). */
  progress(message: string): Promise<void>;
  /** Publishes an AgentEvent `<agent>.<kind>` for the diary and console. */
  emit(kind: string, data: Record<string, unknown>): Promise<void>;
  /** Ends the task in `input-required` with `reason`; never returns. */
  requireInput(reason: string): never;
}

/** What a skill declares; see {@link defineSkill}. */
export interface SkillSpec<I extends z.ZodType, O extends z.ZodType> {
  /** Local id within the agent (kebab-case); the mesh-wide name is `<agent>.<id>`. */
  id: string;
  name?: string;
  description: string;
  tags?: string[];
  examples?: string[];
  /** Validates the task input before the handler runs; a failure fails the task naming the field. */
  input: I;
  /** Validates what the handler returns before it is committed. */
  output: O;
  /** The tier this skill asks for; the router has the last word. */
  tier: Tier;
  /** Accuracy-critical: the router never sends it below `frontier`. */
  critical?: boolean;
  handler(input: z.output<I>, ctx: SkillContext): Promise<z.input<O>>;
}

/** A validated skill, ready to be listed in an agent. */
export interface Skill<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly examples: readonly string[];
  readonly input: I;
  readonly output: O;
  readonly tier: Tier;
  readonly critical: boolean;
  handler(input: z.output<I>, ctx: SkillContext): Promise<z.input<O>>;
}

const SkillMeta = z.object({
  id: SkillId,
  name: z.string().min(1).max(100).optional(),
  description: z.string().min(1, 'must not be empty').max(2000),
  tags: z.array(z.string().min(1).max(50)).max(20).optional(),
  examples: z.array(z.string().min(1).max(500)).max(20).optional(),
  tier: Tier,
  critical: z.boolean().optional(),
});

/**
 * Declares a skill. Checks the declaration (id, description, tier, that `input`/`output` are zod
 * schemas and `handler` is a function) and throws a BAD_CONFIG ForgeError naming the field, so a
 * mistake fails at import time rather than on the first task.
 */
export function defineSkill<I extends z.ZodType, O extends z.ZodType>(spec: SkillSpec<I, O>): Skill<I, O> {
  let meta: z.output<typeof SkillMeta>;
  try {
    meta = parseOrThrow(SkillMeta, spec, 'skill', 'skill');
  } catch (error) {
    throw new ForgeError('BAD_CONFIG', (error as Error).message, { cause: error });
  }
  for (const key of ['input', 'output'] as const) {
    if (!(spec[key] instanceof z.ZodType)) {
      throw new ForgeError('BAD_CONFIG', `invalid skill ${meta.id}: ${key} must be a zod schema`);
    }
  }
  if (typeof spec.handler !== 'function') {
    throw new ForgeError('BAD_CONFIG', `invalid skill ${meta.id}: handler must be a function`);
  }
  return {
    id: meta.id,
    name: meta.name ?? meta.id,
    description: meta.description,
    tags: meta.tags ?? [],
    examples: meta.examples ?? [],
    input: spec.input,
    output: spec.output,
    tier: meta.tier,
    critical: meta.critical ?? false,
    handler: spec.handler,
  };
}
