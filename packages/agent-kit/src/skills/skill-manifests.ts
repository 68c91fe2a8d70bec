import type { SkillManifest } from '@forge/contracts';
import { z } from 'zod';
import type { AgentDefinition } from './define-agent.js';

function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  // `unrepresentable: 'any'`: a transform or custom check becomes `{}` instead of failing start-up.
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
}

/**
 * The SkillManifest of each of the agent's skills, registered in Postgres at start so the router
 * can route a skill it has never seen a card for. Schemas are JSON Schema (draft 2020-12) made
 * from the zod schemas: the input as accepted, the output as produced.
 */
export function skillManifests(agent: AgentDefinition): SkillManifest[] {
  return agent.skills.map((skill) => ({
    skill: `${agent.name}.${skill.id}`,
    agent: agent.name,
    description: skill.description,
    tierHint: skill.tier,
    critical: skill.critical,
    inputSchema: jsonSchemaOf(skill.input, 'input'),
    outputSchema: jsonSchemaOf(skill.output, 'output'),
  }));
}
