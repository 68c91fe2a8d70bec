import { type Message, SendMessageRequest, type StreamResponse, type Task, TaskState } from '@a2a-js/sdk';
import { type TestBrain, testBrain } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AgentService } from '../service/agent-service.js';
import { type Binding, type Loose, rpc, sdkClient, startInstance } from '../test-support/test-agent.js';
import { defineAgent } from './define-agent.js';
import { defineSkill } from './define-skill.js';
import { part } from './skill-parts.js';
import { reply } from './skill-result.js';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

/** An agent whose skills use the whole vocabulary: parts, artifacts, chunks, replies, refusals. */
const agent = defineAgent({
  name: 'vocab',
  description: 'Skills that answer in every way A2A allows.',
  skills: [
    defineSkill({
      id: 'report',
      description: 'A text artifact, an image, a streamed artifact, and its JSON result.',
      input: z.object({ topic: z.string() }),
      output: z.object({ sections: z.number() }),
      outputModes: ['application/json', 'text/plain', 'image/png', 'text/markdown'],
      tier: 'tool',
      handler: async ({ topic }, ctx) => {
        await ctx.artifact({ id: 'summary', name: 'Summary', parts: [part.text(`About ${topic}.`)] });
        await ctx.artifact({
          name: 'Chart',
          parts: [part.file(PNG, { mediaType: 'image/png', filename: 'chart.png' })],
        });
        const body = ctx.artifactStream({ id: 'body', name: 'Body' });
        await body.write([part.text('# One\n', { mediaType: 'text/markdown' })]);
        await body.write([part.text('# Two\n', { mediaType: 'text/markdown' })]);
        await body.end([part.text('# Three\n', { mediaType: 'text/markdown' })]);
        return { sections: 3 };
      },
    }),
    defineSkill({
      id: 'quick',
      description: 'Answers with a message, no task.',
      input: z.object({ text: z.string() }),
      output: z.unknown(),
      outputModes: ['text/plain', 'application/json'],
      answer: 'message',
      tier: 'tool',
      handler: async ({ text }) =>
        reply([part.text(`You said: ${text}`), part.data({ length: text.length })]),
    }),
    defineSkill({
      id: 'refuse',
      description: 'Refuses every task.',
      input: z.object({}).loose(),
      output: z.object({}),
      tier: 'tool',
      handler: async (_input, ctx) => ctx.reject('this agent does not do that'),
    }),
    defineSkill({
      id: 'inspect',
      description: 'Tells what message it was sent.',
      input: z.object({}).loose(),
      output: z.object({
        messageId: z.string(),
        kinds: z.array(z.string()),
        tag: z.unknown(),
        history: z.number(),
      }),
      tier: 'tool',
      handler: async (_input, ctx) => ({
        messageId: ctx.message?.messageId ?? '',
        kinds: ctx.message?.parts.map((p) => p.kind) ?? [],
        tag: ctx.message?.metadata.tag,
        history: ctx.history().length,
      }),
    }),
    defineSkill({
      id: 'measure',
      description: 'Measures an image.',
      input: z.object({}).loose(),
      output: z.object({ bytes: z.number(), type: z.string() }),
      inputModes: ['image/png', 'image/jpeg'],
      tier: 'tool',
      handler: async (_input, ctx) => {
        const file = ctx.message?.parts.find((p) => p.kind === 'file');
        return { bytes: file && 'bytes' in file ? file.bytes.length : -1, type: file?.mediaType ?? '' };
      },
    }),
  ],
});

describe('the skill vocabulary, end to end through the A2A edge', () => {
  let brain: TestBrain;
  let service: AgentService;

  beforeAll(async () => {
    brain = await testBrain('kitvocab');
    service = await startInstance(agent, brain);
  });

  afterAll(async () => {
    await service?.stop();
    await brain?.cleanup();
  });

  const send = (skill: string, parts: unknown[], extra: Record<string, unknown> = {}) =>
    SendMessageRequest.fromJSON({
      message: { messageId: crypto.randomUUID(), role: 'ROLE_USER', parts, metadata: { skill, ...extra } },
    });

  it('lists what each skill takes and sends on the card', async () => {
    const card = (await (await fetch(`${service.url}/.well-known/agent-card.json`)).json()) as Loose;
    expect(card.defaultInputModes).toEqual(['application/json', 'text/plain', 'image/png', 'image/jpeg']);
    expect(card.defaultOutputModes).toEqual(['application/json', 'text/plain', 'image/png', 'text/markdown']);
    const measure = (card.skills as Loose[]).find((s) => s.id === 'vocab.measure');
    expect(measure.inputModes).toEqual(['image/png', 'image/jpeg']);
  });

  describe.each<Binding>(['JSONRPC', 'HTTP+JSON'])('over %s', (binding) => {
    it('answers a message skill with one Message, not a task, blocking or streamed', async () => {
      const client = await sdkClient(service, binding);
      const answer = (await client.sendMessage(send('quick', [{ text: 'hello' }]))) as Message;
      expect('messageId' in answer).toBe(true);
      expect(answer.parts.map((p) => p.content)).toEqual([
        { $case: 'text', value: 'You said: hello' },
        { $case: 'data', value: { length: 5 } },
      ]);
      const events: StreamResponse[] = [];
      for await (const event of client.sendMessageStream(send('quick', [{ text: 'again' }])))
        events.push(event);
      expect(events.map((e) => e.payload?.$case)).toEqual(['message']);
    });

    it('sends several artifacts, one of them in chunks, before the task completes', async () => {
      const client = await sdkClient(service, binding);
      const events: StreamResponse[] = [];
      for await (const event of client.sendMessageStream(send('report', [{ data: { topic: 'soil' } }]))) {
        events.push(event);
      }
      const updates = events.flatMap((e) => (e.payload?.$case === 'artifactUpdate' ? [e.payload.value] : []));
      const body = updates.filter((u) => u.artifact?.artifactId === 'body');
      expect(body.map((u) => [u.append, u.lastChunk])).toEqual([
        [false, false],
        [true, false],
        [true, true],
      ]);
      expect(updates.map((u) => u.artifact?.artifactId)).toContain('summary');
      const last = events.at(-1)?.payload;
      expect(last?.$case === 'statusUpdate' && last.value.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(updates.at(-1)?.artifact?.artifactId).toBe('result');

      const taskId = events[0]?.payload?.$case === 'task' ? events[0].payload.value.id : '';
      const task = await client.getTask({ id: taskId, tenant: '' });
      const byId = new Map(task.artifacts.map((a) => [a.artifactId, a]));
      expect(
        [...byId.keys()].filter((id) => id !== 'summary' && id !== 'body' && id !== 'result'),
      ).toHaveLength(1);
      expect(byId.get('body')?.parts.map((p) => p.content)).toEqual([
        { $case: 'text', value: '# One\n' },
        { $case: 'text', value: '# Two\n' },
        { $case: 'text', value: '# Three\n' },
      ]);
      const chart = task.artifacts.find((a) => a.name === 'Chart');
      expect(chart?.parts[0]).toMatchObject({ mediaType: 'image/png', filename: 'chart.png' });
      expect(chart?.parts[0]?.content?.$case).toBe('raw');
      expect(byId.get('result')?.parts[0]?.content).toEqual({ $case: 'data', value: { sections: 3 } });
    });

    it('ends a task the skill refuses in rejected, with the reason', async () => {
      const client = await sdkClient(service, binding);
      const task = (await client.sendMessage(send('refuse', [{ data: {} }]))) as Task;
      expect(task.status?.state).toBe(TaskState.TASK_STATE_REJECTED);
      expect(task.status?.message?.parts[0]?.content).toEqual({
        $case: 'text',
        value: 'this agent does not do that',
      });
    });

    it('lets a skill see the message it was sent, and take a file', async () => {
      const client = await sdkClient(service, binding);
      const request = send('inspect', [{ text: 'look' }, { data: {} }], { tag: 'blue' });
      const task = (await client.sendMessage(request)) as Task;
      expect(task.artifacts[0]?.parts[0]?.content).toEqual({
        $case: 'data',
        value: { messageId: request.message?.messageId, kinds: ['text', 'data'], tag: 'blue', history: 1 },
      });
      const png = { raw: Buffer.from(PNG).toString('base64'), mediaType: 'image/png' };
      const measured = (await client.sendMessage(send('measure', [png]))) as Task;
      expect(measured.artifacts[0]?.parts[0]?.content).toEqual({
        $case: 'data',
        value: { bytes: 7, type: 'image/png' },
      });
    });
  });

  it('refuses a part the skill does not take, naming it', async () => {
    const res = await rpc(service, 'SendMessage', {
      message: {
        messageId: crypto.randomUUID(),
        role: 'ROLE_USER',
        parts: [{ text: 'not an image' }],
        metadata: { skill: 'measure' },
      },
    });
    expect(res.body.error?.code).toBe(-32005);
    expect(res.body.error?.message).toContain('message.parts[0]: vocab.measure does not take text/plain');
  });
});
