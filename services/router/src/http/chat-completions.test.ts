import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, testRoutingConfig, waitFor } from '../../test/harness.js';

let h: Harness;
let client: OpenAI;
const KEY = 'fk_test_ops_0123456789';

beforeAll(async () => {
  h = await startHarness({
    apiKeys: { ops: KEY, pinned: 'fk_test_pinned_0123456789', broke: 'fk_test_broke_0123456789' },
    config: await testRoutingConfig({
      rules: [
        {
          name: 'big-input',
          when: { inputTokensAbove: 200 },
          tier: { atLeast: 'frontier' },
          reason: 'long prompts',
        },
      ],
      principals: {
        ops: { defaultRoute: 'auto' },
        pinned: { defaultRoute: 'mid' },
        broke: { defaultRoute: 'auto', budget: { usd: 0.00001, onExhausted: 'reject' } },
      },
    }),
  });
  client = new OpenAI({ apiKey: KEY, baseURL: `${h.router.url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await h?.close();
});

beforeEach(() => {
  h.fake.reset();
});

async function post(body: unknown, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }) {
  const res = await fetch(`${h.router.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      error?: { message: string; type: string; code: string; param: string | null };
    },
  };
}

const hello = { model: 'forge:small', messages: [{ role: 'user', content: 'hello' }] };

describe('POST /v1/chat/completions: refusals', () => {
  it('refuses a missing key and a wrong key with OpenAI-style 401s', async () => {
    const missing = await post(hello, {});
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    expect(missing.body.error?.message).toMatch(/missing API key/);
    const wrong = await post(hello, { authorization: 'Bearer fk_nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.message).toBe('invalid API key');
    expect(h.fake.requests).toHaveLength(0);
  });

  it('refuses malformed bodies with 400s naming the field', async () => {
    const notJson = await post('{"model": "forge:small", "messages": [');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringContaining('not valid JSON'),
    });
    const badModel = await post({ ...hello, model: 'gpt-4o' });
    expect(badModel.status).toBe(400);
    expect(badModel.body.error?.message).toMatch(/^model: must be one of forge:auto, forge:small/);
    expect(badModel.body.error).toMatchObject({ param: 'model', code: 'bad_input' });
    const badRole = await post({
      model: 'forge:auto',
      messages: [{ role: 'robot', content: 'x' }],
      max_tokens: -1,
    });
    expect(badRole.status).toBe(400);
    expect(badRole.body.error?.message).toMatch(/messages\.0\.role/);
    expect(badRole.body.error?.message).toMatch(/max_tokens/);
    const tools = await post({ ...hello, tools: [{ type: 'function', function: { name: 'f' } }] });
    expect(tools.status).toBe(400);
    expect(tools.body.error?.message).toMatch(/tools: tool calling is not supported/);
  });

  it('answers 429 when the principal’s budget has no room', async () => {
    const res = await post(
      { model: 'forge:auto', messages: [{ role: 'user', content: 'hi' }] },
      { authorization: 'Bearer fk_test_broke_0123456789' },
    );
    expect(res.status).toBe(429);
    expect(res.body.error).toMatchObject({ type: 'insufficient_quota', code: 'budget_exhausted' });
    expect(res.body.error?.message).toMatch(/budget principal broke has no room/);
  });
});

describe('POST /v1/chat/completions: answers', () => {
  it('forge:small answers through the small tier, billed to the principal in the ledger', async () => {
    h.fake.script({
      match: { model: 'claude-haiku-5.5' },
      text: 'hi there',
      usage: { inputTokens: 100, outputTokens: 10, cacheReadTokens: 50 },
    });
    const completion = await client.chat.completions.create({
      model: 'forge:small',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(completion.choices[0]?.message.content).toBe('hi there');
    expect(completion.model).toBe('anthropic:claude-haiku-5.5');
    expect(completion.usage).toMatchObject({
      prompt_tokens: 150,
      completion_tokens: 10,
      prompt_tokens_details: { cached_tokens: 50 },
    });
    // 100×0.10 + 50×0.01 + 10×0.50 = 10 + 0.5 + 5 → 15.5, rounded half up to 16 µ$.
    const forge = (completion as unknown as { forge: { tier: string; cost_micros: number } }).forge;
    expect(forge).toMatchObject({ tier: 'small', cost_micros: 16 });
    await h.flush();
    const rows = await h.pool.query(
      `SELECT * FROM "${h.schema}".cost_ledger WHERE source = 'api' AND principal = 'ops' AND cost_micros = 16`,
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({
      skill: 'api.chat-completions',
      agent: 'api',
      tier: 'small',
      attempt: 1,
      call_id: 0,
    });
  });

  it('forge:auto takes the principal’s default route and the rules', async () => {
    h.fake.script({ text: 'a' }, { text: 'b' }, { text: 'c' });
    const small = await client.chat.completions.create({
      model: 'forge:auto',
      messages: [{ role: 'user', content: 'short' }],
    });
    expect(small.model).toBe('anthropic:claude-haiku-5.5');
    const long = await client.chat.completions.create({
      model: 'forge:auto',
      messages: [{ role: 'user', content: 'x'.repeat(1000) }],
    });
    expect(long.model).toBe('anthropic:claude-opus-5.5');
    const pinned = new OpenAI({
      apiKey: 'fk_test_pinned_0123456789',
      baseURL: `${h.router.url}/v1`,
      maxRetries: 0,
    });
    const mid = await pinned.chat.completions.create({
      model: 'forge:auto',
      messages: [{ role: 'user', content: 'short' }],
    });
    expect(mid.model).toBe('anthropic:claude-sonnet-5.5');
  });

  it('returns structured output checked against the json_schema', async () => {
    h.fake.script({ json: { label: 'relevant', confidence: 0.9 } });
    const completion = await client.chat.completions.create({
      model: 'forge:small',
      messages: [
        { role: 'system', content: 'Classify.' },
        { role: 'user', content: 'METRC rules change' },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'verdict',
          schema: {
            type: 'object',
            properties: { label: { type: 'string' }, confidence: { type: 'number' } },
            required: ['label'],
          },
        },
      },
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({
      label: 'relevant',
      confidence: 0.9,
    });
  });

  it('streams text deltas, then the usage chunk, then [DONE]', async () => {
    h.fake.script({
      match: { model: 'claude-haiku-5.5' },
      chunks: ['Room 4 ', 'is back ', 'in range.'],
      usage: { inputTokens: 20, outputTokens: 6 },
    });
    const stream = await client.chat.completions.create({
      model: 'forge:small',
      messages: [{ role: 'user', content: 'status?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) deltas.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas).toEqual(['Room 4 ', 'is back ', 'in range.']);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 20, completion_tokens: 6, total_tokens: 26 });
  });

  it('bills an aborted stream for what came', async () => {
    h.fake.script({
      match: { model: 'claude-haiku-5.5' },
      chunks: Array.from({ length: 40 }, (_, i) => `piece ${i} `),
      chunkDelayMs: 30,
      usage: { inputTokens: 400 },
    });
    const abort = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'forge:small', messages: [{ role: 'user', content: 'tell me a long story' }], stream: true },
      { signal: abort.signal },
    );
    let received = '';
    try {
      for await (const chunk of stream) {
        received += chunk.choices[0]?.delta.content ?? '';
        if (received.length > 0) abort.abort();
      }
    } catch {
      // The client's own abort ends the iteration.
    }
    expect(received.length).toBeGreaterThan(0);
    let row: Record<string, unknown> | undefined;
    await waitFor(
      async () => {
        await h.flush();
        const rows = await h.pool.query(
          `SELECT * FROM "${h.schema}".cost_ledger WHERE source = 'api' AND outcome = 'canceled'`,
        );
        row = rows.rows[0];
        return row !== undefined;
      },
      5_000,
      'the aborted call’s ledger row',
    );
    const input = row!.input_tokens as number;
    const output = row!.output_tokens as number;
    expect(input).toBe(400);
    expect(output).toBeGreaterThan(0);
    // Far fewer than the 40 pieces (~ 80 tokens) the whole stream would have been.
    expect(output).toBeLessThan(40);
    expect(Number(row!.cost_micros)).toBe(Math.round(input * 0.1 + output * 0.5));
  });
});
