import { describe, expect, it } from 'vitest';
import { parseRoutingConfig } from './parse-routing-config.js';
import { discountsFor } from './skill-discounts.js';
import { baseConfigObject } from './test-config.fixture.js';

describe('discount settings in the routing config', () => {
  it('reads cadence and deferral windows as durations, with gateway defaults', () => {
    const config = parseRoutingConfig(
      JSON.stringify({
        ...baseConfigObject(),
        routes: {
          'diary.synthesize-lessons': { tier: 'frontier', cadence: '24h', deferrable: { maxWait: '6h' } },
          'marketing.report': { tier: 'mid', deferrable: {} },
          'scout.score-headlines': { tier: 'small', cadence: 1_800_000 },
        },
      }),
      'test.json',
    );
    expect(discountsFor(config, 'diary.synthesize-lessons')).toEqual({
      caching: true,
      cadenceMs: 86_400_000,
      deferral: { maxWaitMs: 21_600_000 },
    });
    expect(discountsFor(config, 'marketing.report').deferral).toEqual({ maxWaitMs: 43_200_000 });
    expect(discountsFor(config, 'scout.score-headlines')).toEqual({
      caching: true,
      cadenceMs: 1_800_000,
      deferral: undefined,
    });
    expect(config.gateway.caching.historyWindow).toBe(86_400_000);
  });

  it('turns both levers off from the gateway section', () => {
    const config = parseRoutingConfig(
      JSON.stringify({
        ...baseConfigObject(),
        routes: { 'diary.synthesize-lessons': { tier: 'frontier', deferrable: {} } },
        gateway: { caching: { enabled: false }, batch: { enabled: false } },
      }),
      'test.json',
    );
    expect(discountsFor(config, 'diary.synthesize-lessons')).toMatchObject({
      caching: false,
      deferral: undefined,
    });
  });

  it('names the field of a bad duration, a window past the vendors’ 24 hours, or a deferred tool skill', () => {
    const bad = (routes: unknown) => () =>
      parseRoutingConfig(JSON.stringify({ ...baseConfigObject(), routes }), 'test.json');
    expect(bad({ 'a.b': { tier: 'mid', cadence: 'often' } })).toThrow(
      /routes\["a\.b"\]\.cadence: must be a duration/,
    );
    expect(bad({ 'a.b': { tier: 'mid', deferrable: { maxWait: '2d' } } })).toThrow(
      /deferrable\.maxWait: must be at most 1d/,
    );
    expect(bad({ 'a.b': { tier: 'tool', deferrable: {} } })).toThrow(
      /routes\["a\.b"\]\.deferrable: .*no model/,
    );
  });
});
