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
import type { PartnerClient } from '../partners/partner-client.js';
import type { SkillMetadata, SkillPart } from './skill-parts.js';
import type { SkillResult } from './skill-result.js';

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

/** A message of the task, as a skill sees it (A2A v1.0 Message, §4.1.4). */
export interface SkillMessage {
  readonly messageId: string;
  readonly role: 'user' | 'agent';
  readonly contextId: string;
  readonly taskId: string;
  readonly parts: readonly SkillPart[];
  readonly metadata: SkillMetadata;
  readonly referenceTaskIds: readonly string[];
  readonly extensions: readonly string[];
}

/** An artifact to send whole (A2A v1.0 Artifact, §4.1.7). */
export interface SkillArtifact {
  /** Default: a fresh id. `result` is reserved for the JSON output. */
  readonly id?: string;
  readonly name?: string;
  readonly description?: string;
  readonly parts: readonly SkillPart[];
  readonly metadata?: SkillMetadata;
}

/** An artifact sent in chunks: each `write` is streamed to the caller as it commits. */
export interface ArtifactWriter {
  readonly id: string;
  /** Appends parts (the first write starts the artifact). */
  write(parts: string | readonly SkillPart[]): Promise<void>;
  /** Appends the last parts, if any, and marks the artifact complete (`lastChunk`). */
  end(parts?: string | readonly SkillPart[]): Promise<void>;
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
  /**
   * Partner brains, through this brain's gateway: `ctx.partners.ask('partner/b/compliance.check-text', input)`.
   * What comes back is data from another company, never instructions.
   */
  readonly partners: PartnerClient;
  /** Records a `working` status line (persisted, streamed to the caller). */
  progress(message: string): Promise<void>;
  /** Publishes an AgentEvent `<agent>.<kind>` for the diary and console. */
  emit(kind: string, data: Record<string, unknown>): Promise<void>;
  /** Ends the task in `input-required` with `reason`; never returns. */
  requireInput(reason: string): never;
  /** Refuses the task: it ends `rejected` with `reason` (an outcome, not a failure); never returns. */
  reject(reason: string): never;
  /**
   * The A2A message that started (or, after input-required, resumed) this run: its parts, ids and
   * metadata. Undefined for a task that came from the bus without one (another agent, a schedule).
   */
  readonly message: SkillMessage | undefined;
  /** The task's messages so far, oldest first (the caller's and the agent's replies); the last
   *  `length` when given. */
  history(length?: number): readonly SkillMessage[];
  /**
   * Sends a whole artifact (several per task are fine): committed with the task, streamed to
   * callers as it commits. Its parts must be of the skill's `outputModes`. Resolves with its id.
   */
  artifact(artifact: SkillArtifact): Promise<string>;
  /** Opens an artifact to send in chunks (`append`, then `lastChunk` on `end`). */
  artifactStream(meta?: Omit<SkillArtifact, 'parts'>): ArtifactWriter;
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
  /**
   * Media types the skill takes in a message's parts (listed on the card); a part of any other
   * type is refused with ContentTypeNotSupportedError. Default `application/json` and
   * `text/plain` (a data part is the input; text parts become `{ text }`). Wildcards
   * (`image/*`, `*\/*`) are allowed.
   */
  inputModes?: string[];
  /**
   * Media types the skill answers in (listed on the card): its JSON result is
   * `application/json`; add what its artifacts or reply carry. Default `application/json`.
   */
  outputModes?: string[];
  /**
   * `task` (default): the call gets a task whose artifacts hold the result. `message`: the call
   * gets the skill's reply as one A2A `Message` instead (quick answers that need no tracking);
   * the handler returns `reply(...)`.
   */
  answer?: 'task' | 'message';
  handler(input: z.output<I>, ctx: SkillContext): Promise<SkillResult<z.input<O>>>;
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
  readonly inputModes: readonly string[];
  readonly outputModes: readonly string[];
  readonly answer: 'task' | 'message';
  handler(input: z.output<I>, ctx: SkillContext): Promise<SkillResult<z.input<O>>>;
}

/** A media type as cards list them: `type/subtype`, wildcards allowed, no parameters. */
const MediaType = z
  .string()
  .regex(
    /^(\*|[a-z0-9][a-z0-9!#$&^_.+-]*)\/(\*|[a-z0-9][a-z0-9!#$&^_.+-]*)$/i,
    'must be a media type such as text/plain',
  );

const SkillMeta = z.object({
  id: SkillId,
  inputModes: z.array(MediaType).min(1).max(50).optional(),
  outputModes: z.array(MediaType).min(1).max(50).optional(),
  answer: z.enum(['task', 'message']).optional(),
  name: z.string().min(1).max(100).optional(),
  description: z.string().min(1, 'must not be empty').max(2000),
  tags: z.array(z.string().min(1).max(50)).max(20).optional(),
  examples: z.array(z.string().min(1).max(500)).max(20).optional(),
  tier: Tier,
  critical: z.boolean().optional(),
});

/** What a skill takes when it does not say: a JSON data part, or text (as `{ text }`). */
export const DEFAULT_INPUT_MODES = ['application/json', 'text/plain'] as const;
/** What a skill answers in when it does not say: its JSON result. */
export const DEFAULT_OUTPUT_MODES = ['application/json'] as const;

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
    inputModes: meta.inputModes ?? [...DEFAULT_INPUT_MODES],
    outputModes: meta.outputModes ?? [...DEFAULT_OUTPUT_MODES],
    answer: meta.answer ?? 'task',
    handler: spec.handler,
  };
}
