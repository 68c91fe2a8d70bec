import { randomUUID } from 'node:crypto';
import { Message } from '@a2a-js/sdk';
import { describeIssues, ForgeError } from '@forge/contracts';
import type { AgentDefinition } from './define-agent.js';
import type { Skill } from './define-skill.js';

/** Where the skill was named in the message; used in error messages. */
const SKILL_FIELD = 'message.metadata.skill';

/** A message resolved to one of the agent's skills and the input for it (not yet validated). */
export interface SkillCall {
  readonly skill: Skill;
  readonly input: unknown;
}

type DataPart = { $case: 'data'; value: unknown };

function dataParts(message: Message): unknown[] {
  return message.parts
    .map((p) => p.content)
    .filter((c): c is DataPart => c?.$case === 'data')
    .map((c) => c.value);
}

function isSkillEnvelope(value: unknown): value is { skill: string; input?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { skill?: unknown }).skill === 'string' &&
    'input' in value
  );
}

function lookup(agent: AgentDefinition, named: string, field: string): Skill {
  const dot = named.indexOf('.');
  const local = dot === -1 ? named : named.slice(dot + 1);
  const owner = dot === -1 ? agent.name : named.slice(0, dot);
  const skill = owner === agent.name ? agent.skill(local) : undefined;
  if (!skill) {
    const known = agent.skills.map((s) => `${agent.name}.${s.id}`);
    throw new ForgeError(
      'UNKNOWN_SKILL',
      `${field}: unknown skill "${named}"; this agent has: ${known.join(', ')}`,
      {
        retryable: false,
        details: { field, skills: known },
      },
    );
  }
  return skill;
}

/**
 * Decides which skill an A2A message asks for, and its input:
 *
 * 1. `message.metadata.skill` — a local id (`review`) or qualified (`compliance.review`);
 * 2. else the first data part, when it is shaped `{ skill, input }`;
 * 3. else the agent's default skill (or its only skill).
 *
 * The input is {@link messageInput}. Throws UNKNOWN_SKILL naming `message.metadata.skill` and
 * listing the agent's skills, or BAD_INPUT naming `message.parts`.
 */
export function resolveSkillCall(agent: AgentDefinition, message: Message): SkillCall {
  const first = dataParts(message)[0];
  const named = message.metadata?.skill;
  if (named !== undefined && typeof named !== 'string') {
    throw new ForgeError('BAD_INPUT', `${SKILL_FIELD}: must be a string`, {
      details: { field: SKILL_FIELD },
    });
  }
  let skill: Skill;
  if (typeof named === 'string' && named.length > 0) {
    skill = lookup(agent, named, SKILL_FIELD);
  } else if (isSkillEnvelope(first)) {
    skill = lookup(agent, first.skill, 'message.parts[0].data.skill');
  } else if (agent.defaultSkill !== undefined) {
    skill = agent.skill(agent.defaultSkill)!;
  } else {
    const known = agent.skills.map((s) => `${agent.name}.${s.id}`);
    throw new ForgeError(
      'UNKNOWN_SKILL',
      `${SKILL_FIELD}: the message names no skill and this agent has no default; name one of: ${known.join(', ')}`,
      { retryable: false, details: { field: SKILL_FIELD, skills: known } },
    );
  }
  return { skill, input: messageInput(message) };
}

/**
 * The skill input a message carries: the `.input` of a first data part shaped `{ skill, input }`,
 * else the first data part's data, else the text parts joined by newlines as `{ text }`, else
 * (only files) `{}`: a skill that takes files reads them from `ctx.message.parts`, and its input
 * schema says whether it needs more.
 */
export function messageInput(message: Message): unknown {
  const data = dataParts(message);
  const first = data[0];
  if (isSkillEnvelope(first)) return first.input;
  if (data.length > 0) return first;
  const texts = message.parts
    .map((p) => p.content)
    .filter((c): c is { $case: 'text'; value: string } => c?.$case === 'text')
    .map((c) => c.value);
  if (texts.length === 0) return {};
  return { text: texts.join('\n') };
}

/**
 * Validates `input` against the skill's schema; BAD_INPUT naming each bad field as `input.<path>`.
 * Returns the parsed value (defaults applied).
 */
export function parseSkillInput(agentName: string, skill: Skill, input: unknown): unknown {
  const parsed = skill.input.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error, 'input');
  throw new ForgeError('BAD_INPUT', `invalid input for ${agentName}.${skill.id}: ${issues.join('; ')}`, {
    retryable: false,
    details: { issues },
  });
}

export interface SkillMessageOptions {
  /** Local (`review`) or qualified (`compliance.review`) skill id. */
  skill: string;
  input: unknown;
  /** Defaults to a fresh uuid; reuse it to make a retry the same call (idempotency). */
  messageId?: string;
  contextId?: string;
  /** Set to resume a task of yours that waits in `input-required`. */
  taskId?: string;
}

/**
 * Builds the A2A Message a Forge agent understands: the skill in `metadata.skill` and the input
 * as one data part. For clients (the CLI, tests, other agents).
 */
export function skillMessage(options: SkillMessageOptions): Message {
  return Message.fromJSON({
    messageId: options.messageId ?? randomUUID(),
    role: 'ROLE_USER',
    ...(options.contextId ? { contextId: options.contextId } : {}),
    ...(options.taskId ? { taskId: options.taskId } : {}),
    parts: [{ data: options.input ?? {}, mediaType: 'application/json' }],
    metadata: { skill: options.skill },
  });
}
