import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { estimatePromptTokens, estimateTokens } from '../estimate-tokens.js';
import { checkJsonValue } from '../json-output.js';
import type { ProviderRequest, ProviderStreamEvent } from '../provider.js';
import { ProviderError } from '../provider-error.js';
import { OFFLINE_JUDGE_REASON, OfflineProvider } from './offline-provider.js';
import { OfflineRefusal } from './offline-refusal.js';

const offline = new OfflineProvider();

const RUBRIC = [
  'Score each headline for our cannabis operator.',
  'relevant: cannabis compliance news, METRC tracking, dispensary licensing, state regulators, seed-to-sale audits',
  'irrelevant: celebrity gossip, sports scores, cooking recipes',
].join('\n');

const Score = z.object({
  label: z.enum(['relevant', 'irrelevant']),
  score: z.number().int().min(0).max(10),
  confidence: z.number().min(0).max(1),
  reason: z.string().max(300),
});
const scoreSchema = z.toJSONSchema(Score) as Record<string, unknown>;

function classify(headline: string, jsonSchema = scoreSchema): ProviderRequest {
  return {
    model: 'claude-haiku-5.5',
    purpose: 'classify',
    system: RUBRIC,
    messages: [{ role: 'user', content: headline }],
    maxTokens: 400,
    output: { name: 'score', jsonSchema },
  };
}

describe('OfflineProvider, classification', () => {
  it('scores by rubric terms: a compliance headline is relevant, gossip is not', async () => {
    const hit = await offline.complete(
      classify('State regulators tighten METRC tracking for dispensary licensing'),
    );
    const miss = await offline.complete(classify('Celebrity gossip: star shares cooking recipes'));
    const hitOut = Score.parse(hit.output);
    const missOut = Score.parse(miss.output);
    expect(hitOut.label).toBe('relevant');
    expect(missOut.label).toBe('irrelevant');
    expect(hitOut.score).toBeGreaterThan(missOut.score);
    expect(hitOut.reason).toMatch(/metrc/);
    expect(hit.provider).toBe('offline');
    expect(hit.finishReason).toBe('stop');
  });

  it('is deterministic: the same request gives the same answer', async () => {
    const request = classify('New seed-to-sale audits announced by state regulators');
    const first = await offline.complete(request);
    const second = await offline.complete(structuredClone(request));
    expect(second).toEqual(first);
  });

  it('gives low confidence when the evidence is thin', async () => {
    const thin = Score.parse((await offline.complete(classify('Weather is mild this weekend'))).output);
    const strong = Score.parse(
      (
        await offline.complete(
          classify('METRC compliance: regulators audit dispensary licensing and tracking'),
        )
      ).output,
    );
    expect(thin.confidence).toBeLessThan(strong.confidence);
    expect(thin.confidence).toBeLessThanOrEqual(0.5);
  });

  it('decides by overall relevance when the rubric does not describe each label', async () => {
    const request = (headline: string): ProviderRequest => ({
      ...classify(headline),
      system: 'Score relevance to cannabis compliance, METRC tracking and dispensary licensing.',
    });
    expect(
      Score.parse((await offline.complete(request('METRC tracking changes for dispensary owners'))).output)
        .label,
    ).toBe('relevant');
    expect(Score.parse((await offline.complete(request('Football season opens'))).output).label).toBe(
      'irrelevant',
    );
  });

  it('answers a classification without a schema with one of the labels the prompt lists', async () => {
    const result = await offline.complete({
      model: 'm',
      purpose: 'classify',
      system: `${RUBRIC}\nAnswer with one of: relevant, irrelevant.`,
      messages: [{ role: 'user', content: 'METRC tracking rules change' }],
      maxTokens: 10,
    });
    expect(result.text).toBe('relevant');
    expect(result.output).toBeUndefined();
  });
});

describe('OfflineProvider, output schemas', () => {
  it('fills nested objects, arrays, formats, nullables, references and unions schema-validly', async () => {
    const Tag = z.object({ name: z.string().min(2), weight: z.number().gt(0).lt(1) });
    const Complex = z.object({
      title: z.string().max(40),
      summary: z.string().min(10),
      tags: z.array(z.string()).min(1).max(4),
      keyPoints: z.array(z.string()).max(2),
      related: z.array(Tag).min(2),
      priority: z.enum(['low', 'medium', 'high']),
      publishedAt: z.iso.datetime(),
      contact: z.email().optional(),
      source: z.url(),
      count: z.number().int().multipleOf(5).min(10).max(100),
      flagged: z.boolean(),
      note: z.string().nullable(),
      mixed: z.union([z.number(), z.string()]),
      sku: z
        .string()
        .regex(/^SKU-\d+$/)
        .optional(),
      nested: z.object({ deeper: z.object({ ok: z.boolean(), at: z.iso.date() }) }),
    });
    const jsonSchema = z.toJSONSchema(Complex) as Record<string, unknown>;
    const result = await offline.complete({
      model: 'm',
      purpose: 'extract',
      system: 'Extract the facts.',
      messages: [
        {
          role: 'user',
          content:
            'On 2026-10-07 regulators published new METRC rules at https://example.org/metrc. Dispensaries must report daily. Contact ops@example.org for audits. Seed-to-sale tracking audits start in spring.',
        },
      ],
      maxTokens: 2_000,
      output: { name: 'facts', jsonSchema },
    });
    const parsed = Complex.parse(result.output);
    expect(checkJsonValue(result.output, jsonSchema).ok).toBe(true);
    expect(parsed.source).toBe('https://example.org/metrc');
    expect(parsed.contact).toBe('ops@example.org');
    expect(parsed.related).toHaveLength(2);
    expect(parsed.sku).toBeUndefined();
    expect(parsed.nested.deeper.at).toBe('2026-10-07');
  });

  it('fills a schema with $ref definitions', async () => {
    const Node = z.object({ label: z.string(), size: z.number() });
    const Pair = z.object({ left: Node, right: Node });
    const jsonSchema = z.toJSONSchema(Pair, { reused: 'ref' }) as Record<string, unknown>;
    expect(JSON.stringify(jsonSchema)).toContain('$ref');
    const result = await offline.complete({
      model: 'm',
      purpose: 'extract',
      messages: [{ role: 'user', content: 'Left is small. Right is large.' }],
      maxTokens: 500,
      output: { name: 'pair', jsonSchema },
    });
    expect(Pair.safeParse(result.output).success).toBe(true);
  });

  it('reports a schema it cannot satisfy as bad_response', async () => {
    const jsonSchema = z.toJSONSchema(z.object({ code: z.string().regex(/^[A-Z]{3}-\d{4}$/) })) as Record<
      string,
      unknown
    >;
    const error = await offline
      .complete({
        model: 'm',
        purpose: 'extract',
        messages: [{ role: 'user', content: 'x' }],
        maxTokens: 50,
        output: { name: 'c', jsonSchema },
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('bad_response');
    expect((error as ProviderError).message).toMatch(/code/);
  });
});

describe('OfflineProvider, text', () => {
  const article = [
    'The state cannabis board approved new METRC tracking rules on Monday.',
    'Dispensaries must now reconcile METRC inventory daily.',
    'The weather was sunny.',
    'Board members said METRC audits will focus on dispensaries with tracking gaps.',
    'A local bakery opened downtown.',
  ].join(' ');

  it('summarises extractively: its sentences come from the input, the off-topic ones left out', async () => {
    const result = await offline.complete({
      model: 'm',
      purpose: 'summarize',
      messages: [{ role: 'user', content: article }],
      maxTokens: 500,
    });
    expect(result.text).toContain('METRC');
    expect(result.text).not.toContain('bakery');
    for (const sentence of result.text.split(/(?<=\.)\s+/)) expect(article).toContain(sentence);
  });

  it('drafts within the length hint, from the input', async () => {
    const result = await offline.complete({
      model: 'm',
      purpose: 'draft',
      system: 'Write a reply under 80 characters in our voice.',
      messages: [{ role: 'user', content: article }],
      maxTokens: 500,
    });
    expect(result.text.length).toBeLessThanOrEqual(79);
    expect(result.text.length).toBeGreaterThan(20);
    for (const sentence of result.text.split(/(?<=\.)\s+/)) expect(article).toContain(sentence);
  });

  it('estimates usage from characters, for shadow cost', async () => {
    const request: ProviderRequest = {
      model: 'm',
      purpose: 'summarize',
      system: 'Summarise.',
      messages: [{ role: 'user', content: article }],
      maxTokens: 500,
    };
    const result = await offline.complete(request);
    expect(result.usage.inputTokens).toBe(estimatePromptTokens(request));
    expect(result.usage.outputTokens).toBe(estimateTokens(result.text));
    expect(result.usageEstimated).toBe(true);
  });

  it('stops at maxTokens with finishReason length', async () => {
    const result = await offline.complete({
      model: 'm',
      purpose: 'summarize',
      messages: [{ role: 'user', content: article }],
      maxTokens: 5,
    });
    expect(result.finishReason).toBe('length');
    expect(result.usage.outputTokens).toBeLessThanOrEqual(5);
  });

  it('streams the same text it completes', async () => {
    const request: ProviderRequest = {
      model: 'm',
      purpose: 'summarize',
      messages: [{ role: 'user', content: article }],
      maxTokens: 500,
    };
    const whole = await offline.complete(request);
    const events: ProviderStreamEvent[] = [];
    for await (const event of offline.stream(request)) events.push(event);
    const text = events.flatMap((event) => (event.type === 'text' ? [event.text] : [])).join('');
    expect(text).toBe(whole.text);
    expect(events.at(-1)).toEqual({ type: 'final', result: whole });
  });
});

describe('OfflineProvider, judgment', () => {
  it('refuses to judge, with a reason for the person who must', async () => {
    const error = await offline
      .complete({
        model: 'claude-opus-5.5',
        purpose: 'judge',
        messages: [{ role: 'user', content: 'Is this post compliant?' }],
        maxTokens: 100,
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OfflineRefusal);
    expect((error as OfflineRefusal).inputRequired).toBe(OFFLINE_JUDGE_REASON);
    expect((error as OfflineRefusal).retryable).toBe(false);
  });
});
