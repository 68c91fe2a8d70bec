import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { budgetView } from './budget-view.js';
import { decideRoute } from './decide-route.js';
import { loadRoutingConfigFile } from './load-routing-config-file.js';
import { MODEL_TIERS } from './model-tier.js';
import type { RoutingConfig } from './routing-config.js';
import { manifest, NOON, SCHEDULE } from './test-config.fixture.js';

const FORGE_YAML = fileURLToPath(new URL('../../../config/forge.yaml', import.meta.url));
const USD = 1_000_000;

let config: RoutingConfig;
beforeAll(async () => {
  config = await loadRoutingConfigFile(FORGE_YAML);
});

describe('config/forge.yaml', () => {
  it('parses, with both vendors in every tier and a price for each model', () => {
    for (const tier of MODEL_TIERS) {
      const providers = config.tiers[tier].map((m) => m.split(':')[0]);
      expect(providers).toEqual(['anthropic', 'openai']);
      for (const model of config.tiers[tier]) expect(config.prices[model]?.readOn).toBe('2026-11-29');
    }
  });

  it('derives Anthropic cache writes by the 1.25x / 2x rule and marks assumed prices', () => {
    for (const [model, price] of Object.entries(config.prices)) {
      if (!model.startsWith('anthropic:')) continue;
      expect(price.cacheWrite5m).toBeCloseTo(price.input * 1.25, 10);
      expect(price.cacheWrite1h).toBeCloseTo(price.input * 2, 10);
    }
    expect(config.prices['openai:gpt-6-astra']?.assumed).toContain('cacheRead');
    expect(config.prices['anthropic:claude-haiku-5.5']?.longContext).toMatchObject({
      aboveInputTokens: 100_000,
      input: 0.5,
      output: 2.5,
    });
    for (const model of ['openai:gpt-6-luna', 'openai:gpt-6-sol', 'openai:gpt-6-astra']) {
      const price = config.prices[model]!;
      expect(price.longContext?.aboveInputTokens).toBe(272_000);
      expect(price.longContext?.input).toBeCloseTo(price.input * 2, 10);
      expect(price.longContext?.output).toBeCloseTo(price.output * 1.5, 10);
    }
  });

  it('routes the skills of the six services to their tiers', () => {
    const decided = Object.fromEntries(
      Object.keys(config.routes).map((skill) => {
        const d = decideRoute({
          skill: manifest(skill, 'small'),
          config,
          input: { tokensEstimate: 1000 },
          origin: SCHEDULE,
          budget: budgetView(config),
          now: NOON,
        });
        return [skill, d.tier];
      }),
    );
    expect(decided).toEqual({
      'scout.parse-feed': 'tool',
      'scout.fetch-feeds': 'tool',
      'scout.recent-items': 'tool',
      'scout.score-new': 'small',
      'scout.score-headlines': 'small',
      'compliance.check-text': 'tool',
      'compliance.review': 'frontier',
      'engagement.fit-reply': 'tool',
      'engagement.draft-reply': 'mid',
      'publisher.schedule-post': 'tool',
      'marketing.plan-week': 'tool',
      'marketing.write-copy': 'mid',
      'diary.sensor-alert': 'tool',
      'diary.weekly-report': 'tool',
      'diary.synthesize-lessons': 'frontier',
    });
  });

  it('keeps compliance.review at frontier even when it does not declare itself critical and money is short', () => {
    const budget = budgetView(config, {
      month: { spentMicros: 450 * USD, reservedMicros: 0 },
      'tier:frontier': { spentMicros: 280 * USD, reservedMicros: 0 },
    });
    const request = {
      skill: manifest('compliance.review', 'small', false),
      config,
      input: { tokensEstimate: 8000 },
      origin: SCHEDULE,
      budget,
      now: NOON,
      load: { pendingTasks: 1000 },
    };
    const review = decideRoute(request);
    expect(review).toMatchObject({ tier: 'frontier', critical: true, budgetAction: 'none' });
    expect(review.model).toBe('anthropic:claude-opus-5.5');
    // The same money sends the non-critical frontier skill down to small.
    const lessons = decideRoute({ ...request, skill: manifest('diary.synthesize-lessons', 'frontier') });
    expect([lessons.tier, lessons.budgetAction]).toEqual(['small', 'downgraded']);
  });

  it('caps score-headlines escalation at mid with its own confidence threshold', () => {
    const d = decideRoute({
      skill: manifest('scout.score-headlines', 'small'),
      config,
      input: { tokensEstimate: 50_000 },
      origin: SCHEDULE,
      budget: budgetView(config),
      now: NOON,
    });
    expect(d.tier).toBe('mid');
    expect(d.maxTier).toBe('mid');
    expect(d.escalation.confidenceBelow).toBe(0.7);
  });
});
