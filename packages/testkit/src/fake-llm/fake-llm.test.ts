import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeLlm, startFakeLlm } from './fake-llm-server.js';

let fake: FakeLlm;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  fake = await startFakeLlm();
  openai = new OpenAI({ apiKey: 'sk-test', baseURL: fake.openaiBaseUrl, maxRetries: 0, timeout: 5_000 });
  anthropic = new Anthropic({
    apiKey: 'sk-ant-test',
    baseURL: fake.anthropicBaseUrl,
    maxRetries: 0,
    timeout: 5_000,
  });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

describe('fake LLM server, OpenAI chat-completions', () => {
  it('answers with the scripted text and renders usage in OpenAI semantics', async () => {
    fake.script({
      text: 'hello there',
      usage: { inputTokens: 100, cacheReadTokens: 40, outputTokens: 30, reasoningTokens: 12 },
    });
    const reply = await openai.chat.completions.create({
      model: 'gpt-6-luna',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(reply.choices[0]?.message.content).toBe('hello there');
    expect(reply.usage?.prompt_tokens).toBe(140);
    expect(reply.usage?.prompt_tokens_details?.cached_tokens).toBe(40);
    expect(reply.usage?.completion_tokens).toBe(30);
    expect(reply.usage?.completion_tokens_details?.reasoning_tokens).toBe(12);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.model).toBe('gpt-6-luna');
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-test');
  });

  it('streams chunks and a final usage chunk when include_usage is asked', async () => {
    fake.script({ text: 'one two three four five six', usage: { inputTokens: 7, outputTokens: 6 } });
    const stream = await openai.chat.completions.create({
      model: 'gpt-6-luna',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('one two three four five six');
    expect(finish).toBe('stop');
    expect(usage?.prompt_tokens).toBe(7);
    expect(usage?.completion_tokens).toBe(6);
  });

  it('sends no usage chunk when the stream did not ask for it', async () => {
    const stream = await openai.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'abc' }],
      stream: true,
    });
    const usages: unknown[] = [];
    for await (const chunk of stream) if (chunk.usage) usages.push(chunk.usage);
    expect(usages).toEqual([]);
  });

  it('answers JSON output as content, and as a tool call when tools were offered', async () => {
    fake.script({ json: { label: 'relevant' } }, { json: { n: 2 } });
    const asContent = await openai.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' } } },
    });
    expect(JSON.parse(asContent.choices[0]?.message.content ?? '')).toEqual({ label: 'relevant' });
    const asTool = await openai.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      tools: [{ type: 'function', function: { name: 'emit', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'emit' } },
    });
    const call = asTool.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('emit');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ n: 2 });
    expect(asTool.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('computes JSON output from the request when scripted with jsonFor', async () => {
    fake.script({
      jsonFor: ({ lastUserText }) => ({ ids: [...lastUserText.matchAll(/id="([^"]+)"/g)].map((m) => m[1]) }),
    });
    const reply = await openai.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: '<h id="a1">one</h><h id="b2">two</h>' }],
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' } } },
    });
    expect(JSON.parse(reply.choices[0]?.message.content ?? '')).toEqual({ ids: ['a1', 'b2'] });
  });

  it('answers 429 with retry-after, and 500', async () => {
    fake.script({ status: 429, retryAfterSeconds: 3 }, { status: 500 });
    const rateLimited = await openai.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((error: unknown) => error);
    expect(rateLimited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((rateLimited as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('3');
    const server = await openai.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((error: unknown) => error);
    expect(server).toBeInstanceOf(OpenAI.InternalServerError);
  });

  it('delays before headers, so a short client timeout fires', async () => {
    fake.script({ delayMs: 2_000 });
    const started = Date.now();
    const error = await openai.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { timeout: 50 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('cuts a stream mid-way and sends malformed bodies', async () => {
    fake.script({
      text: 'aaaa bbbb cccc dddd eeee ffff',
      chunks: ['aaaa ', 'bbbb ', 'cccc '],
      cutAfterChunks: 2,
    });
    const stream = await openai.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    let text = '';
    const cut = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((error: unknown) => error);
    expect(text).toBe('aaaa bbbb ');
    expect(cut).toBeInstanceOf(Error);

    fake.script({ malformed: true });
    const malformed = await openai.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
      .catch((error: unknown) => error);
    expect(malformed).toBeInstanceOf(SyntaxError);
  });

  it('matches scripted replies per route and model, else echoes', async () => {
    fake.script(
      { match: { model: 'b' }, text: 'for b' },
      { match: { route: 'anthropic' }, text: 'for claude' },
    );
    const a = await openai.chat.completions.create({
      model: 'a',
      messages: [{ role: 'user', content: 'ping' }],
    });
    expect(a.choices[0]?.message.content).toBe('echo: ping');
    expect(a.usage?.prompt_tokens).toBe(1);
    const b = await openai.chat.completions.create({
      model: 'b',
      messages: [{ role: 'user', content: 'ping' }],
    });
    expect(b.choices[0]?.message.content).toBe('for b');
    expect(fake.pending).toBe(1);
  });

  it('refuses a request without messages, naming the field', async () => {
    const error = await openai.chat.completions
      .create({ model: 'm' } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(String((error as Error).message)).toContain('messages');
  });
});

describe('fake LLM server, Anthropic messages', () => {
  it('renders usage with cache reads, writes by duration and thinking tokens', async () => {
    fake.script({
      text: 'bonjour',
      usage: {
        inputTokens: 50,
        cacheReadTokens: 1000,
        cacheWriteTokens: 200,
        cacheWrite1hTokens: 300,
        outputTokens: 20,
        reasoningTokens: 5,
      },
    });
    const message = await anthropic.messages.create({
      model: 'claude-haiku-5.5',
      max_tokens: 100,
      system: 'be brief',
      messages: [{ role: 'user', content: 'salut' }],
    });
    expect(message.content[0]?.type === 'text' && message.content[0].text).toBe('bonjour');
    expect(message.usage.input_tokens).toBe(50);
    expect(message.usage.cache_read_input_tokens).toBe(1000);
    expect(message.usage.cache_creation_input_tokens).toBe(500);
    expect(message.usage.cache_creation).toEqual({
      ephemeral_5m_input_tokens: 200,
      ephemeral_1h_input_tokens: 300,
    });
    expect(message.usage.output_tokens_details?.thinking_tokens).toBe(5);
    expect(message.stop_reason).toBe('end_turn');
    // SDK 1.14 sends the key as a bearer token; the fake records headers as received.
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-ant-test');
  });

  it('streams the event sequence with usage at start and end', async () => {
    fake.script({
      text: 'streamed words here',
      usage: { inputTokens: 9, cacheReadTokens: 4, outputTokens: 5 },
    });
    const stream = await anthropic.messages.create({
      model: 'claude-haiku-5.5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'go' }],
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    let startInput = -1;
    let endOutput = -1;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'message_start') startInput = event.message.usage.input_tokens;
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      if (event.type === 'message_delta') endOutput = event.usage.output_tokens;
    }
    expect(text).toBe('streamed words here');
    expect(types[0]).toBe('message_start');
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(startInput).toBe(9);
    expect(endOutput).toBe(5);
  });

  it('answers a forced tool with tool_use, plain and streamed', async () => {
    const tools = [{ name: 'emit', input_schema: { type: 'object' as const } }];
    fake.script({ json: { label: 'x', score: 3 } }, { json: { label: 'y' } });
    const message = await anthropic.messages.create({
      model: 'c',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'go' }],
      tools,
      tool_choice: { type: 'tool', name: 'emit' },
    });
    const block = message.content[0];
    expect(block?.type === 'tool_use' && block.input).toEqual({ label: 'x', score: 3 });
    expect(message.stop_reason).toBe('tool_use');
    const stream = await anthropic.messages.create({
      model: 'c',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'go' }],
      tools,
      tool_choice: { type: 'tool', name: 'emit' },
      stream: true,
    });
    let json = '';
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') {
        json += event.delta.partial_json;
      }
    }
    expect(JSON.parse(json)).toEqual({ label: 'y' });
  });

  it('answers 429 with retry-after-ms in the Anthropic error shape', async () => {
    fake.script({ status: 429, retryAfterMs: 1500 });
    const error = await anthropic.messages
      .create({ model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.headers?.get('retry-after-ms')).toBe('1500');
    expect(apiError.type).toBe('rate_limit_error');
  });

  it('sends a malformed SSE event mid-stream', async () => {
    fake.script({ text: 'abc def ghi', malformed: true });
    const stream = await anthropic.messages.create({
      model: 'c',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const error = await (async () => {
      for await (const _event of stream) {
        // drain until the broken event
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SyntaxError);
  });
});

describe('fake LLM server, matching by structured output name', () => {
  it('answers by the forced tool (Anthropic) or json_schema name (OpenAI), and a repeating reply stays queued', async () => {
    fake.script(
      { match: { output: 'take_draft' }, repeat: true, json: { take: 'A take.' } },
      { match: { output: 'review' }, json: { verdict: 'ok' } },
    );
    const tool = (name: string) => ({ name, input_schema: { type: 'object' as const, properties: {} } });
    const ask = (name: string) =>
      anthropic.messages.create({
        model: 'claude-haiku-5.5',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'go' }],
        tools: [tool(name)],
        tool_choice: { type: 'tool', name },
      });
    const inputOf = (m: Awaited<ReturnType<typeof ask>>) =>
      (m.content.find((c) => c.type === 'tool_use') as { input: unknown }).input;
    expect(inputOf(await ask('take_draft'))).toEqual({ take: 'A take.' });
    expect(inputOf(await ask('take_draft'))).toEqual({ take: 'A take.' });
    const reply = await openai.chat.completions.create({
      model: 'gpt-6-luna',
      messages: [{ role: 'user', content: 'go' }],
      response_format: { type: 'json_schema', json_schema: { name: 'review', schema: { type: 'object' } } },
    });
    expect(JSON.parse(reply.choices[0]!.message.content!)).toEqual({ verdict: 'ok' });
    expect(fake.pending).toBe(1);
  });
});
