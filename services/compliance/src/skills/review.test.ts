import { ForgeError } from '@forge/contracts';
import { scriptedModelClient } from '@forge/testkit';
import { describe, expect, it } from 'vitest';
import { REVIEW_SYSTEM_PROMPT, ReviewInput, type ReviewJudgement, review, reviewSkill } from './review.js';

const JUDGE = { tier: 'frontier', model: 'fake:judge-1' } as const;

const signal = new AbortController().signal;

const INPUT = ReviewInput.parse({
  question: 'We received the transfer on Friday; can we accept it in METRC on Monday?',
  kind: 'transfer-manifest',
  jurisdiction: 'US-CO',
  facts: [{ label: 'Manifest', value: '0001234567 with 3 packages' }],
  sources: [
    {
      id: 'co-3-805',
      title: 'Transfers',
      text: 'A receiving licensee shall record  receipt in the inventory\ntracking system within 24 hours.',
    },
  ],
});

const JUDGEMENT: ReviewJudgement = {
  verdict: 'non-compliant',
  summary: 'Receipt must be recorded within 24 hours.',
  reasons: [{ point: 'Monday is more than 24 hours after Friday receipt.', severity: 'critical' }],
  citations: [
    {
      sourceId: 'co-3-805',
      reference: '1 CCR 212-3, 3-805',
      quote: 'record receipt in the inventory tracking system within 24 hours',
    },
  ],
  requiredActions: ['Record the receipt in METRC today.'],
  confidence: 0.93,
};

describe('compliance.review', () => {
  it('sends a judge request with the system prompt, delimited facts and sources and a JSON Schema', async () => {
    const { models, requests } = scriptedModelClient({ output: JUDGEMENT }, JUDGE);
    await review(INPUT, { models, signal });
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request).toMatchObject({
      purpose: 'judge',
      maxTokens: 4000,
      temperature: 0,
    });
    expect(request!.system).toBeUndefined();
    // The instructions and the regulation text are the stable parts, placed first and cacheable.
    expect(request!.stable?.map((p) => [p.name, p.role])).toEqual([
      ['instructions', 'system'],
      ['sources', 'user'],
    ]);
    expect(request!.stable?.[0]?.text).toBe(REVIEW_SYSTEM_PROMPT);
    expect(request!.stable?.[1]?.text).toContain('<source id="co-3-805" title="Transfers">');
    const content = request!.messages[0]!.content;
    expect(content).toContain('Kind: transfer-manifest');
    expect(content).toContain('Jurisdiction: US-CO');
    expect(content).toContain('<facts>\n- Manifest: 0001234567 with 3 packages\n</facts>');
    expect(content).not.toContain('<source');
    expect(request!.output?.name).toBe('compliance_review');
    const schema = request!.output!.jsonSchema as { required: string[]; properties: Record<string, unknown> };
    expect(schema.required).toEqual(
      expect.arrayContaining(['verdict', 'reasons', 'citations', 'confidence']),
    );
  });

  it('returns the judgement with verified citations and no need for a person when all holds', async () => {
    const { models } = scriptedModelClient({ output: JUDGEMENT }, JUDGE);
    const out = await review(INPUT, { models, signal });
    expect(out).toMatchObject({
      verdict: 'non-compliant',
      needsHuman: false,
      needsHumanReasons: [],
      model: 'fake:judge-1',
    });
    expect(out.citations[0]?.verified).toBe(true);
    expect(reviewSkill.output.parse(out)).toEqual(out);
  });

  it('routes to a person on low confidence, fabricated quotes, unknown sources or missing information', async () => {
    const { models } = scriptedModelClient(
      {
        output: {
          ...JUDGEMENT,
          verdict: 'insufficient-information',
          confidence: 0.5,
          citations: [
            { sourceId: 'co-3-805', reference: 'x', quote: 'within 72 hours' },
            { sourceId: 'made-up', reference: 'y', quote: null },
            { sourceId: null, reference: 'METRC user guide', quote: null },
          ],
        },
      },
      JUDGE,
    );
    const out = await review(INPUT, { models, signal });
    expect(out.needsHuman).toBe(true);
    expect(out.citations.map((c) => c.verified)).toEqual([false, false, false]);
    expect(out.needsHumanReasons).toEqual([
      'confidence 0.5 is below 0.8',
      'the facts do not decide the question',
      'citation "x" quotes text not found in source co-3-805',
      'citation "y" names unknown source made-up',
    ]);
  });

  it('never lets an offline stand-in judgement pass without a person', async () => {
    const { models } = scriptedModelClient(
      { output: JUDGEMENT, offline: true, model: 'offline:frontier' },
      JUDGE,
    );
    const out = await review(INPUT, { models, signal });
    expect(out).toMatchObject({ needsHuman: true, offline: true });
  });

  it('reads JSON from the reply text (fenced or bare) when no parsed output came back', async () => {
    const { models } = scriptedModelClient(
      { text: `\`\`\`json\n${JSON.stringify(JUDGEMENT)}\n\`\`\`` },
      JUDGE,
    );
    expect((await review(INPUT, { models, signal })).verdict).toBe('non-compliant');
  });

  it('rejects output that fails its schema with PROVIDER_ERROR naming the field, not retryable', async () => {
    const { models } = scriptedModelClient({ output: { ...JUDGEMENT, confidence: 1.5, reasons: [] } }, JUDGE);
    const error = await review(INPUT, { models, signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForgeError);
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', retryable: false });
    expect((error as Error).message).toContain('compliance_review.reasons');
    expect((error as Error).message).toContain('compliance_review.confidence');
    const notJson = scriptedModelClient({ text: 'I think it is fine.' }, JUDGE);
    await expect(review(INPUT, { models: notJson.models, signal })).rejects.toThrow('is not JSON');
  });

  it('is declared frontier and critical, and validates its input naming the field', () => {
    expect(reviewSkill).toMatchObject({ id: 'review', tier: 'frontier', critical: true });
    expect(() => ReviewInput.parse({ question: 'short' })).toThrow(/question/);
    expect(() => ReviewInput.parse({ question: 'long enough question', jurisdiction: 'Colorado' })).toThrow(
      /ISO 3166-2/,
    );
  });
});
