import { loadRoutingConfigFile } from '@forge/policy';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ROUTING_CONFIG_PATH } from '../config.js';
import {
  breakEvenReads,
  type CachePrices,
  cachePrices,
  chooseCacheTtl,
  expectedPrefixPrice,
} from './cache-economics.js';
import { CallCadence, shareWithin } from './call-cadence.js';

let prices: Record<string, CachePrices>;

beforeAll(async () => {
  // The shipped prices (shared/prices-2026-11.md), as the gateway reads them.
  const config = await loadRoutingConfigFile(DEFAULT_ROUTING_CONFIG_PATH);
  prices = Object.fromEntries(
    Object.entries(config.prices).map(([model, price]) => [
      model,
      cachePrices(price, model.startsWith('anthropic:')),
    ]),
  );
});

describe('the break-even rule', () => {
  it('a 5-minute write pays off with one read, a 1-hour write needs two, at every Anthropic model', () => {
    // (write - input) / (input - read): Opus (5 - 4) / (4 - 0.2), (8 - 4) / 3.8; Sonnet (2.5 - 2) /
    // (2 - 0.1), (4 - 2) / 1.9; Haiku (0.125 - 0.1) / (0.1 - 0.01), (0.2 - 0.1) / 0.09.
    const opus = prices['anthropic:claude-opus-5.5']!;
    expect(breakEvenReads(opus, '5m')).toBeCloseTo(1 / 3.8, 6);
    expect(breakEvenReads(opus, '1h')).toBeCloseTo(4 / 3.8, 6);
    expect(breakEvenReads(prices['anthropic:claude-sonnet-5.5']!, '1h')).toBeCloseTo(2 / 1.9, 6);
    expect(breakEvenReads(prices['anthropic:claude-haiku-5.5']!, '5m')).toBeCloseTo(0.025 / 0.09, 6);
    expect(breakEvenReads(prices['anthropic:claude-haiku-5.5']!, '1h')).toBeCloseTo(0.1 / 0.09, 6);
    for (const model of [
      'anthropic:claude-opus-5.5',
      'anthropic:claude-sonnet-5.5',
      'anthropic:claude-haiku-5.5',
    ]) {
      expect(breakEvenReads(prices[model]!, '5m')).toBeLessThan(1);
      expect(breakEvenReads(prices[model]!, '1h')).toBeGreaterThan(1);
      expect(breakEvenReads(prices[model]!, '1h')).toBeLessThan(2);
    }
  });

  it('OpenAI bills no writes: any read pays', () => {
    expect(breakEvenReads(prices['openai:gpt-6-astra']!, '5m')).toBe(0);
    expect(breakEvenReads(prices['openai:gpt-6-sol']!, '1h')).toBe(0);
  });

  it('reads per write above break-even ⇔ caching is cheaper than sending the prefix uncached', () => {
    const opus = prices['anthropic:claude-opus-5.5']!;
    for (const ttl of ['5m', '1h'] as const) {
      for (let share = 0; share < 1; share += 0.01) {
        const readsPerWrite = share / (1 - share);
        const cheaper = expectedPrefixPrice(opus, ttl, share) < opus.input;
        if (Math.abs(readsPerWrite - breakEvenReads(opus, ttl)) > 1e-9)
          expect(cheaper).toBe(readsPerWrite > breakEvenReads(opus, ttl));
      }
    }
  });

  it('chooses by rhythm: every 2 minutes → 5m; every 30 minutes → 1h; every 3 hours → none', () => {
    const opus = prices['anthropic:claude-opus-5.5']!;
    expect(chooseCacheTtl(opus, { '5m': 1, '1h': 1 }).ttl).toBe('5m');
    expect(chooseCacheTtl(opus, { '5m': 0, '1h': 1 }).ttl).toBe('1h');
    expect(chooseCacheTtl(opus, { '5m': 0, '1h': 0 }).ttl).toBeNull();
    // Half the calls within the hour: 0.5 × 0.2 + 0.5 × 8 = 4.1 > 4 → no cache; 60% → 3.32 < 4.
    expect(chooseCacheTtl(opus, { '5m': 0, '1h': 0.5 }).ttl).toBeNull();
    expect(chooseCacheTtl(opus, { '5m': 0, '1h': 0.6 }).ttl).toBe('1h');
    // A fifth within 5 minutes is below the 5-minute break-even (20.8%); a quarter is above.
    expect(chooseCacheTtl(opus, { '5m': 0.2, '1h': 0.2 }).ttl).toBeNull();
    expect(chooseCacheTtl(opus, { '5m': 0.25, '1h': 0.25 }).ttl).toBe('5m');
  });
});

describe('call cadence', () => {
  const MIN = 60_000;

  it("reads a prefix's own gaps, the current call's included", () => {
    const cadence = new CallCadence(20);
    cadence.record('s', 'a', 0);
    expect(shareWithin(cadence.prefixGaps('s', 'a', 2 * MIN)!, 5 * MIN)).toBe(1);
    expect(shareWithin(cadence.prefixGaps('s', 'a', 10 * MIN)!, 5 * MIN)).toBe(0);
    expect(cadence.prefixGaps(null, 'c', 4 * MIN)).toBeUndefined();
  });

  it('lends a new prefix how soon the skill’s other prefixes were asked again, not the gaps between prefixes', () => {
    const cadence = new CallCadence(20);
    // Two prefixes of one skill, each every 3 hours, half an hour apart from each other.
    for (let h = 0; h < 12; h += 3) {
      cadence.record('s', 'a', h * 60 * MIN);
      cadence.record('s', 'b', (h + 0.5) * 60 * MIN);
    }
    // Prefix c is new: its skill's prefixes come back every 3 hours, so an hour's cache would not be read.
    expect(shareWithin(cadence.prefixGaps('s', 'c', 12 * 60 * MIN)!, 60 * MIN)).toBe(0);
    // Any two calls of the skill are often half an hour apart: the raw rhythm, the last resort, says otherwise.
    expect(shareWithin(cadence.skillGaps('s', 12 * 60 * MIN)!, 60 * MIN)).toBeGreaterThan(0.4);
  });

  it('counts a gap at the very end of the TTL as a miss, keeps only the last calls, and takes the ledger’s', () => {
    const cadence = new CallCadence(3);
    for (const t of [0, 5, 10, 15]) cadence.record('s', 'a', t * MIN);
    expect(shareWithin(cadence.prefixGaps('s', 'a', 20 * MIN)!, 5 * MIN)).toBe(0);
    expect(shareWithin(cadence.prefixGaps('s', 'a', 20 * MIN)!, 60 * MIN)).toBe(1);
    cadence.seed('t', [0, MIN, 2 * MIN]);
    expect(shareWithin(cadence.skillGaps('t', 3 * MIN)!, 5 * MIN)).toBe(1);
  });
});
