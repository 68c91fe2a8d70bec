import type { SkillTask } from '@forge/agent-kit';
import { scriptedModelClient } from '@forge/testkit';
import { describe, expect, it } from 'vitest';
import { testRuntime } from '../test-runtime.js';
import { TriageMentionsInput, triageMentions } from './triage-mentions.js';

const signal = new AbortController().signal;
const task = { id: '22222222-2222-4222-8222-222222222222' } as SkillTask;
const emit = async () => {};

describe('engagement.triage-mentions', () => {
  it('settles a blocked mention by the policy engine alone and classifies the rest on the model', async () => {
    const { runtime, submitted } = testRuntime();
    const input = TriageMentionsInput.parse({
      mentions: [
        { id: 'm1', author: 'troll', text: 'you are a motherf*cker and a fraud' },
        { id: 'm4', author: 'angry', text: 'this is f*cking slow' },
        { id: 'm2', author: 'ivan', text: 'How do you keep your agent bill under $500?' },
        { id: 'm3', author: 'bot', text: 'Buy followers cheap' },
      ],
    });
    const { models, requests } = scriptedModelClient(
      {
        output: {
          mentions: [
            { id: 'm2', intent: 'question', urgency: 'normal', replyWorthy: true, why: 'a real question' },
            { id: 'm3', intent: 'spam', urgency: 'low', replyWorthy: true, why: 'spam' },
          ],
        },
      },
      { tier: 'small' },
    );
    const out = await triageMentions(input, { models, signal, task, emit }, runtime);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.messages[0]!.content).not.toContain('fraud');
    expect(out.classified).toBe(3);
    expect(out.mentions.map((m) => [m.id, m.brandSafety, m.intent, m.replyWorthy])).toEqual([
      ['m1', 'block', 'brand-safety-risk', false],
      ['m4', 'needs-review', 'other', false],
      ['m2', 'allow', 'question', true],
      ['m3', 'allow', 'spam', false],
    ]);
    expect(submitted.map((s) => [s.skill, s.idempotencyKey])).toEqual([
      ['engagement.draft-take', 'reply:m2'],
    ]);
  });
});
