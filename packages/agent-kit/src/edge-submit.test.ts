import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskEnvelope } from '@forge/contracts';
import { InMemoryTaskRepository } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent } from './define-agent.js';
import { defineSkill } from './define-skill.js';
import { a2aIdempotencyKey, submitMessage } from './edge-submit.js';
import { skillMessage } from './skill-message.js';

const logger = createLogger({ name: 'submit-test', level: 'silent' });

const agent = defineAgent({
  name: 'unit',
  description: 'unit test agent',
  skills: [
    defineSkill({
      id: 'echo',
      description: 'echoes',
      input: z.object({ text: z.string() }),
      output: z.object({ echo: z.string() }),
      tier: 'tool',
      handler: async ({ text }) => ({ echo: text }),
    }),
  ],
});

const caller = { principal: 'alice', signal: new AbortController().signal };

async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('submitMessage', () => {
  it('publishes without waiting for the history write, and answers once it is written', async () => {
    const tasks = new InMemoryTaskRepository();
    let release = () => {};
    const written = new Promise<void>((resolve) => {
      release = resolve;
    });
    const updateA2A = tasks.updateA2A.bind(tasks);
    tasks.updateA2A = async (id, a2a) => {
      await written;
      return updateA2A(id, a2a);
    };
    const dispatched: TaskEnvelope[] = [];
    const deps = {
      agent,
      brain: 'unit',
      tasks,
      logger,
      dispatcher: { dispatch: async (envelope: TaskEnvelope) => void dispatched.push(envelope) },
    };
    const message = skillMessage({ skill: 'echo', input: { text: 'hi' } });
    let answered = false;
    const sending = submitMessage(
      deps,
      { message, returnImmediately: false, historyLength: undefined },
      caller,
    )
      .then((submission) => submission.send())
      .then((record) => {
        answered = true;
        return record;
      });
    await until(() => dispatched.length === 1);
    expect(answered).toBe(false);
    release();
    const record = await sending;
    expect(dispatched[0]?.id).toBe(record.id);
    const stored = await tasks.get(record.id);
    expect(stored?.a2a.history).toEqual([expect.objectContaining({ messageId: message.messageId })]);
  });

  it('still runs the task when the history cannot be written', async () => {
    const tasks = new InMemoryTaskRepository();
    tasks.updateA2A = async () => {
      throw new Error('the database refused');
    };
    const dispatched: TaskEnvelope[] = [];
    const deps = {
      agent,
      brain: 'unit',
      tasks,
      logger,
      dispatcher: { dispatch: async (envelope: TaskEnvelope) => void dispatched.push(envelope) },
    };
    const message = skillMessage({ skill: 'echo', input: { text: 'hi' } });
    const submission = await submitMessage(
      deps,
      { message, returnImmediately: false, historyLength: undefined },
      caller,
    );
    const record = await submission.send();
    expect(dispatched.map((e) => e.id)).toEqual([record.id]);
  });

  it('keys a call by caller and messageId without ambiguity', () => {
    expect(a2aIdempotencyKey('operator', 'm-1')).toBe('a2a:operator:m-1');
    // Principal "partner:acme" sending "x" is not principal "partner" sending "acme:x".
    expect(a2aIdempotencyKey('partner:acme', 'x')).not.toBe(a2aIdempotencyKey('partner', 'acme:x'));
    expect(a2aIdempotencyKey('a%3Ab', 'x')).not.toBe(a2aIdempotencyKey('a:b', 'x'));
  });
});
