import { buildAgentCard, skillManifests } from '@forge/agent-kit';
import { SkillManifest } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { marketingAgent } from './index.js';

describe('marketing agent definition', () => {
  it('builds an A2A card listing every skill as <agent>.<skill> with its tier', () => {
    const card = buildAgentCard(marketingAgent, 'http://127.0.0.1:7400');
    expect(card.name).toBe('marketing');
    expect(card.description.length).toBeGreaterThan(20);
    expect(card.skills.map((s) => s.id)).toEqual([
      'marketing.plan-week',
      'marketing.write-copy',
      'marketing.content-calendar',
      'marketing.blog-post',
      'marketing.daily-brief',
      'marketing.weekly-report',
    ]);
    expect(card.skills.map((s) => s.tags.find((t) => t.startsWith('tier:'))?.slice(5))).toEqual([
      'tool',
      'mid',
      'mid',
      'frontier',
      'mid',
      'mid',
    ]);
    expect(card.skills.map((s) => s.tags.includes('critical'))).toEqual(Array(6).fill(false));
    expect(marketingAgent.defaultSkill).toBe('plan-week');
  });

  it('gives every skill a valid manifest with object JSON Schemas for input and output', () => {
    const manifests = skillManifests(marketingAgent);
    expect(manifests.map((m) => m.skill)).toEqual([
      'marketing.plan-week',
      'marketing.write-copy',
      'marketing.content-calendar',
      'marketing.blog-post',
      'marketing.daily-brief',
      'marketing.weekly-report',
    ]);
    for (const manifest of manifests) {
      expect(SkillManifest.parse(manifest)).toEqual(manifest);
      expect(manifest.inputSchema.type).toBe('object');
      expect(manifest.description.length).toBeGreaterThan(20);
    }
  });

  it('has examples that are valid input for their skill', () => {
    for (const skill of marketingAgent.skills) {
      expect(skill.examples.length, skill.id).toBeGreaterThan(0);
      for (const example of skill.examples) {
        const parsed = skill.input.safeParse(JSON.parse(example));
        expect(parsed.success, `${skill.id}: ${example}`).toBe(true);
      }
    }
  });
});
