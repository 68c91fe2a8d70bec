import { randomUUID } from 'node:crypto';
import { TASK_ENVELOPE_VERSION } from '@forge/contracts';
import { InMemoryTaskRepository, type TaskRecord } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ModelClient } from '../models/model-client.js';
import { defineSkill } from '../skills/define-skill.js';
import { createSkillContext } from './skill-context.js';

describe('skill context: a model call waiting in a batch', () => {
  it('shows what it waits for as the task’s working status line, published', async () => {
    const tasks = new InMemoryTaskRepository();
    const { record } = await tasks.create({
      v: TASK_ENVELOPE_VERSION,
      id: randomUUID(),
      skill: 'diary.synthesize-lessons',
      input: {},
      origin: { kind: 'schedule', brain: 'alpha', by: 'schedule:nightly' },
      idempotencyKey: randomUUID(),
      contextId: 'c',
      createdAt: new Date().toISOString(),
    });
    await tasks.transition(record.id, { to: 'working', from: ['submitted'] });
    const published: TaskRecord[] = [];
    const models: ModelClient = {
      async call(_request, opts) {
        opts?.onWaiting?.(
          'waiting in Anthropic Message Batches on anthropic:claude-opus-5.5 at the batch price',
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
        return {
          v: 1,
          ok: true,
          text: 'done',
          tier: 'frontier',
          model: 'anthropic:claude-opus-5.5',
          offline: false,
          usage: {
            inputTokens: 1,
            outputTokens: 1,
            cacheReadTokens: 0,
            cacheWriteTokens: 0,
            cacheWrite1hTokens: 0,
            reasoningTokens: 0,
          },
          costMicros: 1,
          shadowCostMicros: 0,
          notes: [],
        };
      },
    };
    const ctx = createSkillContext({
      brain: 'alpha',
      agent: 'diary',
      skill: defineSkill({
        id: 'synthesize-lessons',
        description: 'Distils observations into lessons.',
        input: z.object({}),
        output: z.unknown(),
        tier: 'frontier',
        handler: async () => ({}),
      }),
      record: (await tasks.get(record.id))!,
      signal: new AbortController().signal,
      logger: createLogger({ name: 'test', level: 'silent' }),
      models,
      tasks,
      status: { publish: (r) => published.push(r) },
      events: { publish: async () => undefined },
    });
    const reply = await ctx.models.call({
      purpose: 'summarize',
      messages: [{ role: 'user', content: 'x' }],
      maxTokens: 10,
    });
    expect(reply.text).toBe('done');
    const now = await tasks.get(record.id);
    expect(now?.state).toBe('working');
    expect(now?.statusMessage).toMatch(/waiting in Anthropic Message Batches/);
    expect(published.at(-1)?.statusMessage).toBe(now?.statusMessage);
  });
});
