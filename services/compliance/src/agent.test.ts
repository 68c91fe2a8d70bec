import { buildAgentCard, skillManifests } from '@forge/agent-kit';
import { SkillManifest } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { complianceAgent } from './index.js';

describe('compliance agent definition', () => {
  it('builds an A2A card listing every skill as <agent>.<skill> with its tier', () => {
    const card = buildAgentCard(complianceAgent, 'http://127.0.0.1:7400');
    expect(card.name).toBe('compliance');
    expect(card.description.length).toBeGreaterThan(20);
    expect(card.skills.map((s) => s.id)).toEqual([
      'compliance.check-text',
      'compliance.review',
      'compliance.gate-outbound',
      'compliance.review-outbound',
      'compliance.reconcile-records',
      'compliance.list-approvals',
      'compliance.show-approval',
      'compliance.approve',
      'compliance.reject',
    ]);
    expect(card.skills.map((s) => s.tags.find((t) => t.startsWith('tier:'))?.slice(5))).toEqual([
      'tool',
      'frontier',
      'tool',
      'frontier',
      'tool',
      'tool',
      'tool',
      'tool',
      'tool',
    ]);
    expect(card.skills.filter((s) => s.tags.includes('critical')).map((s) => s.id)).toEqual([
      'compliance.review',
      'compliance.review-outbound',
    ]);
    expect(complianceAgent.defaultSkill).toBe('check-text');
  });

  it('gives every skill a valid manifest with object JSON Schemas for input and output', () => {
    const manifests = skillManifests(complianceAgent);
    expect(manifests.map((m) => m.skill)).toEqual([
      'compliance.check-text',
      'compliance.review',
      'compliance.gate-outbound',
      'compliance.review-outbound',
      'compliance.reconcile-records',
      'compliance.list-approvals',
      'compliance.show-approval',
      'compliance.approve',
      'compliance.reject',
    ]);
    for (const manifest of manifests) {
      expect(SkillManifest.parse(manifest)).toEqual(manifest);
      expect(manifest.inputSchema.type).toBe('object');
      expect(manifest.description.length).toBeGreaterThan(20);
    }
  });

  it('has examples that are valid input for their skill', () => {
    for (const skill of complianceAgent.skills) {
      expect(skill.examples.length, skill.id).toBeGreaterThan(0);
      for (const example of skill.examples) {
        const parsed = skill.input.safeParse(JSON.parse(example));
        expect(parsed.success, `${skill.id}: ${example}`).toBe(true);
      }
    }
  });
});
