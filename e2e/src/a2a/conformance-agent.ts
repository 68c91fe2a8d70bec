import { setTimeout as sleep } from 'node:timers/promises';
import { defineAgent, defineSkill, part, reply } from '@forge/agent-kit';
import { z } from 'zod';

/**
 * The agent the conformance suite talks to: a skill for each behaviour the A2A spec describes
 * (a quick task, a slow one with progress, one that asks for input, a message answer, artifacts
 * sent whole and in chunks, a refusal). All `tool` tier: the router routes them without a model.
 */
export const conformanceAgent = defineAgent({
  name: 'conform',
  description: 'An agent for the A2A v1.0 conformance suite.',
  version: '1.0.0',
  defaultSkill: 'echo',
  skills: [
    defineSkill({
      id: 'echo',
      description: 'Echoes the text it gets.',
      tags: ['test'],
      examples: ['{"text":"hi"}'],
      input: z.object({ text: z.string().min(1) }),
      output: z.object({ echo: z.string() }),
      tier: 'tool',
      handler: async ({ text }) => ({ echo: text }),
    }),
    defineSkill({
      id: 'slow',
      description: 'Works for a while, saying so, then answers.',
      input: z.object({ ms: z.number().int().min(0).max(30_000) }),
      output: z.object({ slept: z.number() }),
      tier: 'tool',
      handler: async ({ ms }, ctx) => {
        await ctx.progress('working on it');
        await sleep(ms, undefined, { signal: ctx.signal });
        return { slept: ms };
      },
    }),
    defineSkill({
      id: 'ask',
      description: 'Needs a yes from the caller.',
      input: z.object({ approved: z.boolean().default(false) }),
      output: z.object({ done: z.literal(true) }),
      tier: 'tool',
      handler: async ({ approved }, ctx) => {
        if (!approved) ctx.requireInput('say approved: true to go on');
        return { done: true as const };
      },
    }),
    defineSkill({
      id: 'quick',
      description: 'Answers with a message instead of a task.',
      input: z.object({ text: z.string() }),
      output: z.unknown(),
      outputModes: ['text/plain'],
      answer: 'message',
      tier: 'tool',
      handler: async ({ text }) => reply(`echo: ${text}`),
    }),
    defineSkill({
      id: 'report',
      description: 'Sends a summary artifact and a body in three chunks, then its JSON result.',
      input: z.object({ topic: z.string() }),
      output: z.object({ chunks: z.number() }),
      outputModes: ['application/json', 'text/plain'],
      tier: 'tool',
      handler: async ({ topic }, ctx) => {
        await ctx.artifact({ id: 'summary', name: 'Summary', parts: [part.text(`about ${topic}`)] });
        const body = ctx.artifactStream({ id: 'body', name: 'Body' });
        await body.write('one ');
        await body.write('two ');
        await body.end('three');
        return { chunks: 3 };
      },
    }),
    defineSkill({
      id: 'refuse',
      description: 'Refuses the work.',
      input: z.object({}).loose(),
      output: z.object({}),
      tier: 'tool',
      handler: async (_input, ctx) => ctx.reject('not something this agent does'),
    }),
  ],
});
