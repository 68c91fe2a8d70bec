import { Message } from '@a2a-js/sdk';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent } from './define-agent.js';
import { defineSkill } from './define-skill.js';
import { messageInput, parseSkillInput, resolveSkillCall, skillMessage } from './skill-message.js';

const skill = (id: string) =>
  defineSkill({
    id,
    description: id,
    input: z.object({ text: z.string() }),
    output: z.object({}),
    tier: 'tool',
    handler: async () => ({}),
  });

const review = defineAgent({
  name: 'compliance',
  description: 'd',
  skills: [skill('review'), skill('audit')],
});
const single = defineAgent({ name: 'solo', description: 'd', skills: [skill('only')] });

const msg = (json: Record<string, unknown>) =>
  Message.fromJSON({ messageId: 'm', role: 'ROLE_USER', ...json });

describe('resolveSkillCall', () => {
  it('takes the skill from metadata.skill, local or qualified', () => {
    const local = resolveSkillCall(
      review,
      msg({ parts: [{ data: { text: 'a' } }], metadata: { skill: 'audit' } }),
    );
    expect(local.skill.id).toBe('audit');
    expect(local.input).toEqual({ text: 'a' });
    const qualified = resolveSkillCall(
      review,
      msg({ parts: [{ text: 'b' }], metadata: { skill: 'compliance.review' } }),
    );
    expect(qualified.skill.id).toBe('review');
    expect(qualified.input).toEqual({ text: 'b' });
  });

  it('else from a data part shaped {skill, input}', () => {
    const call = resolveSkillCall(
      review,
      msg({ parts: [{ data: { skill: 'audit', input: { text: 'c' } } }] }),
    );
    expect(call.skill.id).toBe('audit');
    expect(call.input).toEqual({ text: 'c' });
  });

  it("else the agent's default: its only skill", () => {
    const call = resolveSkillCall(single, msg({ parts: [{ text: 'line 1' }, { text: 'line 2' }] }));
    expect(call.skill.id).toBe('only');
    expect(call.input).toEqual({ text: 'line 1\nline 2' });
  });

  it('names the field and lists the skills when the skill is unknown or missing', () => {
    expect(() =>
      resolveSkillCall(review, msg({ parts: [{ text: 'x' }], metadata: { skill: 'juggle' } })),
    ).toThrow(
      'message.metadata.skill: unknown skill "juggle"; this agent has: compliance.review, compliance.audit',
    );
    expect(() =>
      resolveSkillCall(review, msg({ parts: [{ text: 'x' }], metadata: { skill: 'other.review' } })),
    ).toThrow(/unknown skill "other.review"/);
    expect(() => resolveSkillCall(review, msg({ parts: [{ text: 'x' }] }))).toThrow(
      /message.metadata.skill: the message names no skill/,
    );
    // Only a file: the input is `{}` (whether the skill takes files is the edge's content-type check).
    expect(resolveSkillCall(single, msg({ parts: [{ url: 'http://x/y.png' }] })).input).toEqual({});
  });
});

describe('parseSkillInput', () => {
  it('names each bad field under input.', () => {
    expect(() => parseSkillInput('solo', single.skills[0]!, { text: 3 })).toThrow(
      /invalid input for solo.only: input.text/,
    );
    expect(parseSkillInput('solo', single.skills[0]!, { text: 'ok' })).toEqual({ text: 'ok' });
  });
});

describe('skillMessage', () => {
  it('builds a message the agent resolves back to the same skill and input', () => {
    const m = skillMessage({
      skill: 'compliance.audit',
      input: { text: 'hi' },
      messageId: 'fixed',
      contextId: 'ctx',
    });
    expect(Message.toJSON(m)).toEqual({
      messageId: 'fixed',
      contextId: 'ctx',
      role: 'ROLE_USER',
      parts: [{ data: { text: 'hi' }, mediaType: 'application/json' }],
      metadata: { skill: 'compliance.audit' },
    });
    const call = resolveSkillCall(review, m);
    expect(call.skill.id).toBe('audit');
    expect(messageInput(m)).toEqual({ text: 'hi' });
    expect(skillMessage({ skill: 'x', input: 1 }).messageId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
