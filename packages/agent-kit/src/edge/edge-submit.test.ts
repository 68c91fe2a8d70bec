import type { Message } from '@a2a-js/sdk';
import type { TaskEnvelope } from '@forge/contracts';
import { InMemoryTaskRepository } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAgent } from '../skills/define-agent.js';
import { defineSkill } from '../skills/define-skill.js';
import { skillMessage } from '../skills/skill-message.js';
import { a2aIdempotencyKey, submitMessage } from './edge-submit.js';

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

function submitDeps(tasks: InMemoryTaskRepository) {
  const dispatched: TaskEnvelope[] = [];
  const deps = {
    agent,
    brain: 'unit',
    tasks,
    logger,
    dispatcher: { dispatch: async (envelope: TaskEnvelope) => void dispatched.push(envelope) },
  };
  return { deps, dispatched };
}

function params(message: Message) {
  return { message, returnImmediately: false, historyLength: undefined, acceptedOutputModes: [] };
}

describe('submitMessage', () => {
  it("creates the task with the caller's message in its history, in the create itself", async () => {
    const tasks = new InMemoryTaskRepository();
    let extrasWrites = 0;
    const updateA2A = tasks.updateA2A.bind(tasks);
    tasks.updateA2A = async (id, a2a) => {
      extrasWrites++;
      return updateA2A(id, a2a);
    };
    const { deps, dispatched } = submitDeps(tasks);
    const message = skillMessage({ skill: 'echo', input: { text: 'hi' }, contextId: 'ctx-1' });
    const submission = await submitMessage(deps, params(message), caller);
    const expected = [
      expect.objectContaining({
        messageId: message.messageId,
        taskId: submission.record.id,
        contextId: 'ctx-1',
      }),
    ];
    // Stored before anything is published: the record the edge relays from already shows it.
    expect(submission.record.a2a.history).toEqual(expected);
    expect(dispatched).toEqual([]);
    const record = await submission.send();
    expect(dispatched.map((e) => e.id)).toEqual([record.id]);
    expect((await tasks.get(record.id))?.a2a.history).toEqual(expected);
    expect(extrasWrites).toBe(0);
  });

  it('answers the same call again with the first task, its history not doubled', async () => {
    const tasks = new InMemoryTaskRepository();
    const { deps, dispatched } = submitDeps(tasks);
    const message = skillMessage({ skill: 'echo', input: { text: 'hi' } });
    const first = await submitMessage(deps, params(message), caller);
    await first.send();
    const again = await submitMessage(deps, params(message), caller);
    expect(again.record.id).toBe(first.record.id);
    // Still submitted (nothing ran it), so the retry re-publishes the same task id.
    await again.send();
    expect(dispatched.map((e) => e.id)).toEqual([first.record.id, first.record.id]);
    const stored = await tasks.get(first.record.id);
    expect(stored?.a2a.history.map((m) => (m as { messageId: string }).messageId)).toEqual([
      message.messageId,
    ]);
  });

  it('creates nothing when the store refuses the task', async () => {
    const tasks = new InMemoryTaskRepository();
    tasks.create = async () => {
      throw new Error('the database refused');
    };
    const { deps, dispatched } = submitDeps(tasks);
    const message = skillMessage({ skill: 'echo', input: { text: 'hi' } });
    await expect(submitMessage(deps, params(message), caller)).rejects.toThrow('the database refused');
    expect(dispatched).toEqual([]);
  });

  it('keys a call by caller and messageId without ambiguity', () => {
    expect(a2aIdempotencyKey('operator', 'm-1')).toBe('a2a:operator:m-1');
    // Principal "partner:acme" sending "x" is not principal "partner" sending "acme:x".
    expect(a2aIdempotencyKey('partner:acme', 'x')).not.toBe(a2aIdempotencyKey('partner', 'acme:x'));
    expect(a2aIdempotencyKey('a%3Ab', 'x')).not.toBe(a2aIdempotencyKey('a:b', 'x'));
  });
});
