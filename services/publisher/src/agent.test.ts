import { buildAgentCard, skillManifests } from '@forge/agent-kit';
import { SkillManifest } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { publisherAgent } from './index.js';

describe('publisher agent definition', () => {
  it('builds an A2A card listing every skill as <agent>.<skill> with its tier', () => {
    const card = buildAgentCard(publisherAgent, 'http://127.0.0.1:7400');
    expect(card.name).toBe('publisher');
    expect(card.description.length).toBeGreaterThan(20);
    expect(card.skills.map((s) => s.id)).toEqual([
      'publisher.schedule-post',
      'publisher.schedule-approved',
      'publisher.publish-due',
      'publisher.outbox',
      'publisher.render-card',
    ]);
    expect(card.skills.map((s) => s.tags.find((t) => t.startsWith('tier:'))?.slice(5))).toEqual(
      Array(5).fill('tool'),
    );
    expect(card.skills.map((s) => s.tags.includes('critical'))).toEqual(Array(5).fill(false));
    expect(publisherAgent.defaultSkill).toBe('schedule-post');
  });

  it('gives every skill a valid manifest with object JSON Schemas for input and output', () => {
    const manifests = skillManifests(publisherAgent);
    expect(manifests.map((m) => m.skill)).toEqual([
      'publisher.schedule-post',
      'publisher.schedule-approved',
      'publisher.publish-due',
      'publisher.outbox',
      'publisher.render-card',
    ]);
    for (const manifest of manifests) {
      expect(SkillManifest.parse(manifest)).toEqual(manifest);
      expect(manifest.inputSchema.type).toBe('object');
      expect(manifest.description.length).toBeGreaterThan(20);
    }
  });

  it('has examples that are valid input for their skill', () => {
    for (const skill of publisherAgent.skills) {
      expect(skill.examples.length, skill.id).toBeGreaterThan(0);
      for (const example of skill.examples) {
        const parsed = skill.input.safeParse(JSON.parse(example));
        expect(parsed.success, `${skill.id}: ${example}`).toBe(true);
      }
    }
  });
});
