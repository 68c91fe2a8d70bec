import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent } from './define-agent.js';
import { defineSkill } from './define-skill.js';
import { skillManifests } from './skill-manifests.js';

const ok = {
  id: 'review',
  description: 'Reviews a post.',
  input: z.object({ text: z.string().max(280) }),
  output: z.object({ verdict: z.enum(['pass', 'block']) }),
  tier: 'frontier' as const,
  critical: true,
  handler: async () => ({ verdict: 'pass' as const }),
};

describe('defineSkill / defineAgent', () => {
  it('names the field of a bad declaration', () => {
    expect(() => defineSkill({ ...ok, id: 'Review!' })).toThrow(/skill.id/);
    expect(() => defineSkill({ ...ok, tier: 'huge' as never })).toThrow(/skill.tier/);
    expect(() => defineSkill({ ...ok, description: '' })).toThrow(/skill.description/);
    expect(() => defineSkill({ ...ok, input: {} as never })).toThrow(/input must be a zod schema/);
    expect(() => defineAgent({ name: 'Compliance', description: 'd', skills: [defineSkill(ok)] })).toThrow(
      /agent.name/,
    );
    expect(() => defineAgent({ name: 'c', description: 'd', skills: [] })).toThrow(/agent.skills/);
    expect(() =>
      defineAgent({ name: 'c', description: 'd', skills: [defineSkill(ok), defineSkill(ok)] }),
    ).toThrow(/"review" is used twice/);
    expect(() =>
      defineAgent({ name: 'c', description: 'd', defaultSkill: 'audit', skills: [defineSkill(ok)] }),
    ).toThrow(/defaultSkill "audit" is not one of its skills/);
  });

  it('defaults the name, tags, version, and the default skill of a one-skill agent', () => {
    const agent = defineAgent({ name: 'compliance', description: 'd', skills: [defineSkill(ok)] });
    expect(agent.version).toBe('0.1.0');
    expect(agent.defaultSkill).toBe('review');
    expect(agent.skill('review')).toMatchObject({ name: 'review', tags: [], critical: true });
    expect(agent.skill('nope')).toBeUndefined();
  });

  it('registers manifests with JSON Schemas made from the zod schemas', () => {
    const agent = defineAgent({ name: 'compliance', description: 'd', skills: [defineSkill(ok)] });
    const [manifest] = skillManifests(agent);
    expect(manifest).toMatchObject({
      skill: 'compliance.review',
      agent: 'compliance',
      tierHint: 'frontier',
      critical: true,
      inputSchema: { type: 'object', properties: { text: { type: 'string', maxLength: 280 } } },
      outputSchema: { properties: { verdict: { enum: ['pass', 'block'] } } },
    });
  });
});
