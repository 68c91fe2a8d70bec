import type { StablePromptPart } from '@forge/contracts';
import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ok } from '../../test/gateway-fixtures.js';
import { type Harness, startHarness, testRoutingConfig } from '../../test/harness.js';

/** The parts of an Anthropic request body these tests read. */
interface AnthropicBody {
  system?: string | Array<{ text: string; cache_control?: unknown }>;
}
type TextBlock = { text: string; cache_control?: unknown };

let now = Date.parse('2026-11-30T08:00:00Z');
const MINUTE = 60_000;
let h: Harness;

/** ~8,000 tokens of rules: above every vendor's minimum. */
const rules: StablePromptPart = {
  name: 'rules',
  role: 'system',
  text: 'Rule: never claim health effects. '.repeat(940),
};
const RULE_TOKENS = Math.ceil(rules.text.length / 4);
const question = (n: number) => [{ role: 'user' as const, content: `Review post number ${n}.` }];

beforeAll(async () => {
  h = await startHarness({
    clock: () => now,
    config: await testRoutingConfig({
      tiers: {
        small: ['anthropic:claude-haiku-5.5'],
        mid: ['openai:gpt-6-sol'],
        frontier: ['anthropic:claude-opus-5.5', 'openai:gpt-6-astra'],
      },
      routes: {
        'compliance.hourly': { tier: 'frontier', cadence: '30m' },
        'compliance.daily': { tier: 'frontier', cadence: '24h' },
        'compliance.bursty': { tier: 'frontier' },
        'compliance.short': { tier: 'frontier' },
        'engagement.draft': { tier: 'mid' },
      },
    }),
  });
});
afterAll(() => h?.close());
beforeEach(() => h.fake.reset());

function anthropicBody(i: number): AnthropicBody {
  return h.fake.requests[i]?.body as AnthropicBody;
}

describe('prompt caching through the gateway', () => {
  it('a 30-minute schedule gets the 1-hour cache; the hit is billed at the read price, the write at 2x', async () => {
    const task = await h.task({ skill: 'compliance.hourly', tierHint: 'frontier' });
    h.fake.script(
      { text: 'fine', usage: { outputTokens: 100 } },
      { text: 'fine', usage: { outputTokens: 100 } },
    );
    const first = ok(await h.call(task, { stable: [rules], messages: question(1), maxTokens: 400 }));
    const system = anthropicBody(0).system as TextBlock[];
    expect(system[0]?.cache_control).toEqual({ type: 'ephemeral', ttl: '1h' });
    const prompt1 = RULE_TOKENS + Math.ceil('Review post number 1.'.length / 4);
    expect(first.usage).toMatchObject({ cacheWrite1hTokens: RULE_TOKENS, cacheReadTokens: 0 });
    // Opus 5.5: input 4.00, output 20.00, 1-hour write 8.00, read 0.20 (USD per million).
    const writeCost = Math.round(RULE_TOKENS * 8 + (prompt1 - RULE_TOKENS) * 4 + 100 * 20);
    expect(first.costMicros).toBe(Math.round(writeCost / 1));

    now += 30 * MINUTE;
    const second = ok(await h.call(task, { stable: [rules], messages: question(2), maxTokens: 400 }));
    expect(second.usage).toMatchObject({ cacheReadTokens: RULE_TOKENS, cacheWrite1hTokens: 0 });
    const readCost = Math.round(RULE_TOKENS * 0.2 + second.usage.inputTokens * 4 + 100 * 20);
    expect(second.costMicros).toBe(readCost);
    // The ledger bills what the vendor reported, as the vendor bills it.
    await h.flush();
    const rows = [...(await h.ledger.forTask(task.id))].sort((a, b) => a.callId - b.callId);
    expect(rows.map((r) => r.costMicros)).toEqual([first.costMicros, second.costMicros]);
    expect(rows[1]).toMatchObject({ cacheReadTokens: RULE_TOKENS, cacheWrite1hTokens: 0 });
    // Uncached, the second call would have cost the whole prompt at input.
    expect(second.costMicros).toBeLessThan(((RULE_TOKENS + second.usage.inputTokens) * 4 + 2000) / 4);
  });

  it('a daily skill is not cached: a write would expire before it is read', async () => {
    const task = await h.task({ skill: 'compliance.daily', tierHint: 'frontier' });
    await h.call(task, { stable: [rules], messages: question(1), maxTokens: 50 });
    expect(JSON.stringify(anthropicBody(0))).not.toContain('cache_control');
    // The stable part still comes first.
    expect((anthropicBody(0).system as TextBlock[])[0]?.text).toBe(rules.text);
  });

  it('with no schedule, learns the rhythm: uncached at first, the 5-minute cache once calls come minutes apart', async () => {
    const task = await h.task({ skill: 'compliance.bursty', tierHint: 'frontier' });
    const first = ok(await h.call(task, { stable: [rules], messages: question(1), maxTokens: 50 }));
    expect(first.usage.cacheWriteTokens + first.usage.cacheWrite1hTokens).toBe(0);
    now += 2 * MINUTE;
    const second = ok(await h.call(task, { stable: [rules], messages: question(2), maxTokens: 50 }));
    expect((anthropicBody(1).system as TextBlock[])[0]?.cache_control).toEqual({
      type: 'ephemeral',
      ttl: '5m',
    });
    expect(second.usage.cacheWriteTokens).toBe(RULE_TOKENS);
    now += 2 * MINUTE;
    const third = ok(await h.call(task, { stable: [rules], messages: question(3), maxTokens: 50 }));
    expect(third.usage.cacheReadTokens).toBe(RULE_TOKENS);
    // Then the skill goes quiet for hours. A 5-minute write on Opus pays off while more than
    // (5 - 4) / (5 - 0.2) = 20.8% of calls come within 5 minutes of the one before: with 2 quick
    // gaps of 10 it stops.
    for (let i = 0; i < 8; i++) {
      now += 3 * 60 * MINUTE;
      await h.call(task, { stable: [rules], messages: question(10 + i), maxTokens: 50 });
    }
    expect(JSON.stringify(anthropicBody(h.fake.requests.length - 1))).not.toContain('cache_control');
  });

  it('never marks a prefix shorter than the vendors cache', async () => {
    const task = await h.task({ skill: 'compliance.short', tierHint: 'frontier' });
    const short: StablePromptPart = { name: 'instructions', role: 'system', text: 'Be brief.' };
    for (let i = 0; i < 3; i++) await h.call(task, { stable: [short], messages: question(i), maxTokens: 50 });
    expect(h.fake.requests.every((r) => !JSON.stringify(r.body).includes('cache_control'))).toBe(true);
  });

  it('OpenAI: names the prefix and asks for extended retention; cached tokens are billed at the read price', async () => {
    const task = await h.task({ skill: 'engagement.draft', tierHint: 'mid' });
    h.fake.script({ text: 'a', usage: { outputTokens: 10 } }, { text: 'b', usage: { outputTokens: 10 } });
    await h.call(task, { stable: [rules], messages: question(1), maxTokens: 50 });
    now += 3 * 60 * MINUTE;
    const second = ok(await h.call(task, { stable: [rules], messages: question(2), maxTokens: 50 }));
    const body = h.fake.requests[1]?.body as OpenAI.ChatCompletionCreateParamsNonStreaming;
    expect(body.prompt_cache_key).toMatch(/^forge-/);
    expect(body.prompt_cache_retention).toBe('24h');
    expect(second.usage.cacheReadTokens).toBeGreaterThan(RULE_TOKENS - 128);
    // Sol 5.5: input 2.00, cached 0.20, output 10.00.
    const { inputTokens, cacheReadTokens } = second.usage;
    expect(second.costMicros).toBe(Math.round(inputTokens * 2 + cacheReadTokens * 0.2 + 10 * 10));
  });
});

describe('prompt caching after a restart', () => {
  let two: Harness;
  beforeAll(async () => {
    two = await startHarness({
      replicas: 2,
      config: await testRoutingConfig({ routes: { 'compliance.busy': { tier: 'frontier' } } }),
    });
  });
  afterAll(() => two?.close());

  it("a router meeting a skill for the first time reads the skill's rhythm from the ledger", async () => {
    const task = await two.task({ skill: 'compliance.busy', tierHint: 'frontier' });
    // Both calls on replica 0 (NATS queue groups pick a replica: call the gateway directly).
    const [first, second] = two.routers;
    const input = (n: number) => ({
      purpose: 'judge' as const,
      stable: [rules],
      messages: question(n),
      maxTokens: 50,
    });
    const ctx = (callId: number) => ({
      source: 'task' as const,
      taskId: task.id,
      attempt: 1,
      callId,
      skill: 'compliance.busy',
      agent: 'compliance',
      principal: null,
      partner: null,
      tier: 'frontier' as const,
      critical: false,
      maxTier: 'frontier' as const,
      escalation: { confidenceBelow: 0.6, schemaRetries: 1, onSchemaFailure: true },
    });
    await first!.gateway.call(ctx(0), input(0));
    await first!.gateway.call(ctx(1), input(1));
    await two.flush();
    two.fake.reset();
    // Replica 1 has seen no call of the skill: only the ledger tells it calls come seconds apart.
    await second!.gateway.call(ctx(2), input(2));
    const body = two.fake.requests[0]?.body as AnthropicBody;
    expect((body.system as TextBlock[])[0]?.cache_control).toEqual({
      type: 'ephemeral',
      ttl: '5m',
    });
  });
});
