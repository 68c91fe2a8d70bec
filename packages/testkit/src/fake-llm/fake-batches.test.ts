import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from './fake-llm-server.js';

let now = Date.parse('2026-11-30T00:00:00Z');
let fake: FakeLlm;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  fake = await startFakeLlm({ clock: () => now, batchDelayMs: 60_000 });
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: fake.openaiBaseUrl, maxRetries: 0, timeout: 5_000 });
  anthropic = new Anthropic({
    apiKey: 'sk-ant-test',
    baseURL: fake.anthropicBaseUrl,
    maxRetries: 0,
    timeout: 5_000,
  });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.reset();
  fake.setBatchDelay(60_000);
});

const params = (content: string): Anthropic.MessageCreateParamsNonStreaming => ({
  model: 'claude-opus-5.5',
  max_tokens: 100,
  messages: [{ role: 'user', content }],
});

async function results(id: string): Promise<Anthropic.Messages.MessageBatchIndividualResponse[]> {
  const out: Anthropic.Messages.MessageBatchIndividualResponse[] = [];
  for await (const line of await anthropic.messages.batches.results(id)) out.push(line);
  return out;
}

describe('fake Anthropic Message Batches', () => {
  it('creates, runs on the clock, and returns results by custom id', async () => {
    fake.script({ text: 'first answer', usage: { outputTokens: 9 } }, { status: 400 });
    const batch = await anthropic.messages.batches.create({
      requests: [
        { custom_id: 'r1', params: params('one') },
        { custom_id: 'r2', params: params('two') },
      ],
    });
    expect(batch.processing_status).toBe('in_progress');
    expect(batch.request_counts.processing).toBe(2);
    expect((await anthropic.messages.batches.retrieve(batch.id)).processing_status).toBe('in_progress');
    now += 61_000;
    const ended = await anthropic.messages.batches.retrieve(batch.id);
    expect(ended.processing_status).toBe('ended');
    expect(ended.request_counts).toMatchObject({ succeeded: 1, errored: 1, processing: 0 });
    const lines = await results(batch.id);
    expect(lines.map((l) => l.custom_id)).toEqual(['r1', 'r2']);
    const ok = lines[0]!.result;
    expect(
      ok.type === 'succeeded' && ok.message.content[0]?.type === 'text' && ok.message.content[0].text,
    ).toBe('first answer');
    expect(ok.type === 'succeeded' && ok.message.usage.output_tokens).toBe(9);
    const bad = lines[1]!.result;
    expect(bad.type === 'errored' && bad.error.error.type).toBe('invalid_request_error');
  });

  it('cancels what has not run, expires what its window never reached', async () => {
    const a = await anthropic.messages.batches.create({
      requests: [{ custom_id: 'a', params: params('x') }],
    });
    expect((await anthropic.messages.batches.cancel(a.id)).processing_status).toBe('canceling');
    expect((await anthropic.messages.batches.retrieve(a.id)).request_counts.canceled).toBe(1);
    expect((await results(a.id))[0]!.result.type).toBe('canceled');
    const b = await anthropic.messages.batches.create({
      requests: [{ custom_id: 'b', params: params('y') }],
    });
    fake.expireBatches();
    expect((await anthropic.messages.batches.retrieve(b.id)).request_counts.expired).toBe(1);
    expect((await results(b.id))[0]!.result.type).toBe('expired');
  });

  it('refuses a bad custom id or request, naming the field', async () => {
    const error = await anthropic.messages.batches
      .create({ requests: [{ custom_id: 'bad id!', params: params('x') }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(String((error as Error).message)).toContain('requests.0.custom_id');
    const noResults = await anthropic.messages.batches.create({
      requests: [{ custom_id: 'c', params: params('x') }],
    });
    await expect(results(noResults.id)).rejects.toThrow(/results_url/);
  });

  it('applies the prompt cache to batch requests', async () => {
    const cached = (custom_id: string): Anthropic.Messages.BatchCreateParams.Request => ({
      custom_id,
      params: {
        ...params('q'),
        system: [{ type: 'text', text: 's'.repeat(8000), cache_control: { type: 'ephemeral', ttl: '1h' } }],
      },
    });
    const batch = await anthropic.messages.batches.create({ requests: [cached('one'), cached('two')] });
    fake.completeBatches();
    const usage = (await results(batch.id)).map((l) =>
      l.result.type === 'succeeded' ? l.result.message.usage : null,
    );
    expect(usage[0]?.cache_creation?.ephemeral_1h_input_tokens).toBe(2000);
    expect(usage[1]?.cache_read_input_tokens).toBe(2000);
  });
});

function jsonl(lines: unknown[]): Promise<OpenAI.FileObject> {
  return toFile(Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n')), 'batch.jsonl').then((file) =>
    openai.files.create({ file, purpose: 'batch' }),
  );
}

const line = (custom_id: string, content: string) => ({
  custom_id,
  method: 'POST',
  url: '/v1/chat/completions',
  body: { model: 'gpt-6-astra', messages: [{ role: 'user', content }] },
});

async function fileLines(id: string | null | undefined): Promise<Array<Record<string, unknown>>> {
  if (!id) return [];
  const text = await (await openai.files.content(id)).text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('fake OpenAI Batch API', () => {
  it('uploads the JSONL file, runs the batch, and writes output and error files', async () => {
    fake.script({ text: 'ok one', usage: { outputTokens: 4 } }, { status: 500 });
    const file = await jsonl([line('a', 'one'), line('b', 'two')]);
    expect(file.purpose).toBe('batch');
    const batch = await openai.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect(batch.status).toBe('in_progress');
    now += 61_000;
    const done = await openai.batches.retrieve(batch.id);
    expect(done.status).toBe('completed');
    expect(done.request_counts).toEqual({ total: 2, completed: 1, failed: 1 });
    const output = await fileLines(done.output_file_id);
    expect(output).toHaveLength(1);
    expect(output[0]).toMatchObject({ custom_id: 'a', response: { status_code: 200 } });
    const body = (output[0]!.response as { body: OpenAI.ChatCompletion }).body;
    expect(body.choices[0]?.message.content).toBe('ok one');
    expect(body.usage?.completion_tokens).toBe(4);
    const errors = await fileLines(done.error_file_id);
    expect(errors[0]).toMatchObject({ custom_id: 'b', response: { status_code: 500 } });
  });

  it('fails a batch whose file does not validate, naming the line', async () => {
    const file = await jsonl([
      line('a', 'x'),
      { ...line('a', 'y') },
      { custom_id: 'c', method: 'GET', url: '/v1/x', body: {} },
    ]);
    const batch = await openai.batches.create({
      input_file_id: file.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect(batch.status).toBe('failed');
    const messages = batch.errors?.data?.map((e) => e.message).join(' | ');
    expect(messages).toContain('line 2: custom_id: duplicate a');
    expect(messages).toContain('line 3: method');
  });

  it('cancels and expires, with per-request error lines', async () => {
    const cancel = await openai.batches.create({
      input_file_id: (await jsonl([line('x', '1')])).id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    expect((await openai.batches.cancel(cancel.id)).status).toBe('cancelling');
    const canceled = await openai.batches.retrieve(cancel.id);
    expect(canceled.status).toBe('cancelled');
    expect((await fileLines(canceled.error_file_id))[0]).toMatchObject({
      error: { code: 'batch_cancelled' },
    });
    const expire = await openai.batches.create({
      input_file_id: (await jsonl([line('y', '2')])).id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
    });
    fake.expireBatches();
    const expired = await openai.batches.retrieve(expire.id);
    expect(expired.status).toBe('expired');
    expect((await fileLines(expired.error_file_id))[0]).toMatchObject({
      custom_id: 'y',
      error: { code: 'batch_expired' },
    });
  });

  it('answers 404 for an unknown batch or file', async () => {
    await expect(openai.batches.retrieve('batch_nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(openai.files.content('file-nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
