import { AgentName, ForgeError, parseOrThrow, SkillId } from '@forge/contracts';
import { z } from 'zod';
import type { Skill } from './define-skill.js';

/** An agent type: its name, its card text, and its skills. */
export interface AgentDefinition {
  readonly name: string;
  readonly description: string;
  readonly version: string;
  /** The skill a message runs when it names none; the only skill when there is one. */
  readonly defaultSkill: string | undefined;
  readonly skills: readonly Skill[];
  /** The skill with this local id, or undefined. */
  skill(id: string): Skill | undefined;
}

export interface AgentSpec {
  name: string;
  description: string;
  version?: string;
  defaultSkill?: string;
  skills: Skill[];
}

const AgentMeta = z.object({
  name: AgentName,
  description: z.string().min(1, 'must not be empty').max(2000),
  version: z
    .string()
    .regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/, 'must be a semantic version')
    .optional(),
  defaultSkill: SkillId.optional(),
  skills: z.array(z.object({ id: SkillId })).min(1, 'an agent needs at least one skill'),
});

/**
 * Declares an agent. Throws a BAD_CONFIG ForgeError naming the field when the name is not a valid
 * agent name, two skills share an id, or `defaultSkill` is not one of the skills. With a single
 * skill and no `defaultSkill`, that skill is the default.
 */
export function defineAgent(spec: AgentSpec): AgentDefinition {
  let meta: z.output<typeof AgentMeta>;
  try {
    meta = parseOrThrow(AgentMeta, spec, 'agent', 'agent');
  } catch (error) {
    throw new ForgeError('BAD_CONFIG', (error as Error).message, { cause: error });
  }
  const byId = new Map<string, Skill>();
  for (const skill of spec.skills) {
    if (byId.has(skill.id)) {
      throw new ForgeError('BAD_CONFIG', `invalid agent ${meta.name}: skill id "${skill.id}" is used twice`);
    }
    byId.set(skill.id, skill);
  }
  if (meta.defaultSkill !== undefined && !byId.has(meta.defaultSkill)) {
    throw new ForgeError(
      'BAD_CONFIG',
      `invalid agent ${meta.name}: defaultSkill "${meta.defaultSkill}" is not one of its skills (${[...byId.keys()].join(', ')})`,
    );
  }
  const skills = Object.freeze([...spec.skills]);
  return Object.freeze({
    name: meta.name,
    description: meta.description,
    version: meta.version ?? '0.1.0',
    defaultSkill: meta.defaultSkill ?? (skills.length === 1 ? skills[0]!.id : undefined),
    skills,
    skill: (id: string) => byId.get(id),
  });
}
