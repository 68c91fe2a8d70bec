import { parseOrThrow } from '@forge/contracts';
import { OfflineProvider } from '@forge/models';
import { type ScriptedModelRequest, scriptedModelClient } from '@forge/testkit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  buildScoreMessages,
  buildScoreSystemPrompt,
  DEFAULT_RUBRIC,
  ScoreHeadlinesInput,
  ScoreHeadlinesModelOutput,
  scoreHeadlines,
  scoreHeadlinesSkill,
} from './score-headlines.js';

const SMALL = { tier: 'small' } as const;

const signal = new AbortController().signal;
const INPUT = ScoreHeadlinesInput.parse({
  headlines: [
    { id: 'a', title: 'METRC adds transfer checks', source: 'news.example' },
    { id: 'b', title: 'Celebrity gossip roundup', summary: 'Nothing to see.' },
    { id: 'c', title: 'Agents cut support costs 80%' },
  ],
});

const score = (id: string, relevance: number, topics: string[] = [], confidence = 0.9) => ({
  id,
  relevance,
  topics,
  take: relevance > 0.5 ? 'a take' : null,
  confidence,
});

describe('scout.score-headlines', () => {
  it('sends a classify request with the rubric and each headline as delimited material', async () => {
    const { models, requests } = scriptedModelClient(
      {
        output: {
          scores: [score('a', 0.9, ['cannabis-operations']), score('b', 0), score('c', 0.9, ['ai-agents'])],
        },
      },
      SMALL,
    );
    await scoreHeadlines(INPUT, { models, signal });
    const request = requests[0]!;
    expect(request).toMatchObject({ purpose: 'classify', temperature: 0, maxTokens: 560 });
    expect(request.stable?.[0]?.text).toContain(
      '- cannabis-operations: Running a licensed cannabis business',
    );
    expect(request.stable?.[0]?.text).toContain('- operator-leverage:');
    expect(request.messages[0]!.content).toBe(
      '<headline id="a" source="news.example">\nMETRC adds transfer checks\n</headline>\n' +
        '<headline id="b">\nCelebrity gossip roundup\nNothing to see.\n</headline>\n' +
        '<headline id="c">\nAgents cut support costs 80%\n</headline>',
    );
    const schema = request.output!.jsonSchema as {
      properties: { scores: { items: { required: string[] } } };
    };
    expect(schema.properties.scores.items.required).toContain('confidence');
  });

  it('returns scores in input order, selected by relevance (ties by input order) and low-confidence ids', async () => {
    const { models } = scriptedModelClient(
      {
        output: {
          scores: [
            score('c', 0.8, ['ai-agents']),
            score('b', 0.1, [], 0.3),
            score('a', 0.8, ['cannabis-operations']),
          ],
        },
      },
      SMALL,
    );
    const out = await scoreHeadlines(INPUT, { models, signal });
    expect(out.scores.map((s) => s.id)).toEqual(['a', 'b', 'c']);
    expect(out.selected).toEqual(['a', 'c']);
    expect(out.lowConfidence).toEqual(['b']);
    expect(scoreHeadlinesSkill.output.parse(out)).toEqual(out);
  });

  it.each([
    [[score('a', 0.5), score('b', 0.5)], 'ids not scored "c"'],
    [[score('a', 0.5), score('b', 0.5), score('c', 0.5), score('z', 0.5)], 'unknown ids "z"'],
    [[score('a', 0.5), score('a', 0.5), score('b', 0.5), score('c', 0.5)], 'id "a" scored twice'],
    [
      [score('a', 0.5, ['sports']), score('b', 0.5), score('c', 0.5)],
      'id "a" names topics not in the rubric: sports',
    ],
    [[{ ...score('a', 1.5) }, score('b', 0.5), score('c', 0.5)], 'headline_scores.scores.0.relevance'],
  ])(
    'rejects a reply that does not score each headline once with rubric topics (%#)',
    async (scores, message) => {
      const { models } = scriptedModelClient({ output: { scores } }, SMALL);
      await expect(scoreHeadlines(INPUT, { models, signal })).rejects.toMatchObject({
        code: 'PROVIDER_ERROR',
      });
      await expect(scoreHeadlines(INPUT, { models, signal })).rejects.toThrow(message);
    },
  );

  it('is declared small tier and validates input naming the field', () => {
    expect(scoreHeadlinesSkill).toMatchObject({ id: 'score-headlines', tier: 'small' });
    expect(() => ScoreHeadlinesInput.parse({ headlines: [] })).toThrow(/headlines/);
    const twice = {
      headlines: [
        { id: 'x', title: 'one' },
        { id: 'x', title: 'two' },
      ],
    };
    expect(() => parseOrThrow(ScoreHeadlinesInput, twice, 'input')).toThrow(
      'headlines.1.id: duplicate id "x"',
    );
  });
});

describe('scout.score-headlines, offline (no model keys)', () => {
  const offline = new OfflineProvider();
  /** A model client whose every answer comes from the built-in offline provider. */
  const offlineModels = {
    async call(request: ScriptedModelRequest) {
      const result = await offline.complete({
        model: 'offline:small',
        purpose: request.purpose,
        ...(request.system === undefined ? {} : { system: request.system }),
        ...(request.stable === undefined ? {} : { stable: request.stable }),
        messages: request.messages,
        maxTokens: request.maxTokens,
        ...(request.output ? { output: request.output } : {}),
      });
      const reply = { output: result.output, text: result.text, offline: true, model: 'offline:small' };
      return scriptedModelClient(reply, SMALL).models.call(request);
    },
  };

  it('answers the real request with every id scored once, rubric topics only, deterministically', async () => {
    const request = {
      model: 'offline:small',
      purpose: 'classify' as const,
      system: buildScoreSystemPrompt(INPUT.rubric),
      messages: buildScoreMessages(INPUT),
      maxTokens: 120 * INPUT.headlines.length + 200,
      output: { name: 'headline_scores', jsonSchema: z.toJSONSchema(ScoreHeadlinesModelOutput) },
    };
    const first = await offline.complete(request);
    const { scores } = ScoreHeadlinesModelOutput.parse(first.output);
    expect(scores.map((s) => s.id)).toEqual(['a', 'b', 'c']);
    expect(scores[0]!.topics).toContain('cannabis-operations');
    expect(scores[2]!.topics).toContain('ai-agents');
    expect(scores[1]!.topics).toEqual([]);
    expect((await offline.complete(structuredClone(request))).output).toEqual(first.output);
  });

  it('runs the whole skill offline, even at 50 long headlines', async () => {
    const out = await scoreHeadlines(INPUT, { models: offlineModels, signal });
    expect(out.scores.map((s) => s.id)).toEqual(['a', 'b', 'c']);
    expect(out.model).toBe('offline:small');
    const many = ScoreHeadlinesInput.parse({
      headlines: Array.from({ length: 50 }, (_, i) => ({
        id: `${'x'.repeat(96)}${String(i).padStart(4, '0')}`,
        title: `Cannabis regulators and AI agents, story ${i}: ${'compliance routing automation '.repeat(15)}`,
        summary: 'METRC retail cultivation cost reliability systems. '.repeat(38),
        source: 'news.example',
      })),
      rubric: DEFAULT_RUBRIC,
    });
    const big = await scoreHeadlines(many, { models: offlineModels, signal });
    expect(big.scores.map((s) => s.id)).toEqual(many.headlines.map((h) => h.id));
    expect(big.selected.length).toBeGreaterThan(0);
  });
});
