import { buildAgentCard, skillManifests } from '@forge/agent-kit';
import { SkillManifest } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { scoutAgent } from './index.js';

describe('scout agent definition', () => {
  it('builds an A2A card listing every skill as <agent>.<skill> with its tier', () => {
    const card = buildAgentCard(scoutAgent, 'http://127.0.0.1:7400');
    expect(card.name).toBe('scout');
    expect(card.description.length).toBeGreaterThan(20);
    expect(card.skills.map((s) => s.id)).toEqual([
      'scout.fetch-feeds',
      'scout.score-new',
      'scout.recent-items',
      'scout.parse-feed',
      'scout.score-headlines',
    ]);
    expect(card.skills.map((s) => s.tags.find((t) => t.startsWith('tier:'))?.slice(5))).toEqual([
      'tool',
      'small',
      'tool',
      'tool',
      'small',
    ]);
    expect(card.skills.some((s) => s.tags.includes('critical'))).toBe(false);
    expect(scoutAgent.defaultSkill).toBe('fetch-feeds');
  });

  it('gives every skill a valid manifest with object JSON Schemas for input and output', () => {
    const manifests = skillManifests(scoutAgent);
    for (const manifest of manifests) {
      expect(SkillManifest.parse(manifest)).toEqual(manifest);
      expect(manifest.inputSchema.type).toBe('object');
      expect(manifest.description.length).toBeGreaterThan(20);
    }
  });

  it('has examples that are valid input for their skill', () => {
    for (const skill of scoutAgent.skills) {
      expect(skill.examples.length, skill.id).toBeGreaterThan(0);
      for (const example of skill.examples) {
        const parsed = skill.input.safeParse(JSON.parse(example));
        expect(parsed.success, `${skill.id}: ${example}`).toBe(true);
      }
    }
  });
});
