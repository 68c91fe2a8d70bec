import { buildAgentCard, skillManifests } from '@forge/agent-kit';
import { SkillManifest } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { engagementAgent } from './index.js';

describe('engagement agent definition', () => {
  it('builds an A2A card listing every skill as <agent>.<skill> with its tier', () => {
    const card = buildAgentCard(engagementAgent, 'http://127.0.0.1:7400');
    expect(card.name).toBe('engagement');
    expect(card.description.length).toBeGreaterThan(20);
    expect(card.skills.map((s) => s.id)).toEqual([
      'engagement.fit-reply',
      'engagement.draft-reply',
      'engagement.draft-take',
      'engagement.triage-mentions',
    ]);
    expect(card.skills.map((s) => s.tags.find((t) => t.startsWith('tier:'))?.slice(5))).toEqual([
      'tool',
      'mid',
      'mid',
      'small',
    ]);
    expect(card.skills.map((s) => s.tags.includes('critical'))).toEqual([false, false, false, false]);
    expect(engagementAgent.defaultSkill).toBe('fit-reply');
  });

  it('gives every skill a valid manifest with object JSON Schemas for input and output', () => {
    const manifests = skillManifests(engagementAgent);
    expect(manifests.map((m) => m.skill)).toEqual([
      'engagement.fit-reply',
      'engagement.draft-reply',
      'engagement.draft-take',
      'engagement.triage-mentions',
    ]);
    for (const manifest of manifests) {
      expect(SkillManifest.parse(manifest)).toEqual(manifest);
      expect(manifest.inputSchema.type).toBe('object');
      expect(manifest.description.length).toBeGreaterThan(20);
    }
  });

  it('has examples that are valid input for their skill', () => {
    for (const skill of engagementAgent.skills) {
      expect(skill.examples.length, skill.id).toBeGreaterThan(0);
      for (const example of skill.examples) {
        const parsed = skill.input.safeParse(JSON.parse(example));
        expect(parsed.success, `${skill.id}: ${example}`).toBe(true);
      }
    }
  });
});
