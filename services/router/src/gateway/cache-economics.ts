import type { ModelPrice } from '@forge/contracts';

/** The two cache lifetimes Anthropic sells (OpenAI's retention is mapped onto them). */
export type CacheTtl = '5m' | '1h';
export const CACHE_TTLS: readonly CacheTtl[] = ['5m', '1h'];
export const CACHE_TTL_MS: Readonly<Record<CacheTtl, number>> = { '5m': 300_000, '1h': 3_600_000 };

/** What one prefix token costs a call, by how it is billed (USD per million tokens). */
export interface CachePrices {
  input: number;
  read: number;
  write: Record<CacheTtl, number>;
}

/**
 * The prices a vendor bills for caching one model's prompts. Anthropic bills writes, at the
 * configured cache-write prices or by its rule (1.25 × input for 5 minutes, 2 × input for 1
 * hour); OpenAI caches by itself and bills a written prefix as plain input (`billsWrites`
 * false). A missing cache-read price means reads cost input.
 */
export function cachePrices(price: ModelPrice, billsWrites: boolean): CachePrices {
  const input = price.input;
  return {
    input,
    read: price.cacheRead ?? input,
    write: billsWrites
      ? { '5m': price.cacheWrite5m ?? input * 1.25, '1h': price.cacheWrite1h ?? input * 2 }
      : { '5m': input, '1h': input },
  };
}

/**
 * The break-even rule, from the prices file: a cache write of `ttl` pays for itself when the
 * prefix it holds is read more than (write − input) / (input − read) times before it expires.
 * Each read saves (input − read) on the prefix; the write costs (write − input) more than
 * sending the prefix uncached. At Anthropic's ratios (write 1.25× or 2× input, read 0.1× or
 * less) that is about 0.28 reads for the 5-minute cache and 1.1 for the 1-hour one: a 5-minute
 * write pays off with one read, a 1-hour write needs two. Infinity when a read saves nothing.
 */
export function breakEvenReads(prices: CachePrices, ttl: CacheTtl): number {
  const saving = prices.input - prices.read;
  if (saving <= 0) return Number.POSITIVE_INFINITY;
  return Math.max(0, (prices.write[ttl] - prices.input) / saving);
}

/**
 * The expected price of one prefix token per call when the prefix is written for `ttl` and a
 * share `hitShare` of calls come while the entry is alive (each of those reads it and keeps it
 * alive; each other call writes it again): hitShare × read + (1 − hitShare) × write. Caching
 * beats sending the prefix uncached exactly when this is below input, the same condition as
 * reads per write (hitShare / (1 − hitShare)) above `breakEvenReads`.
 */
export function expectedPrefixPrice(prices: CachePrices, ttl: CacheTtl, hitShare: number): number {
  return hitShare * prices.read + (1 - hitShare) * prices.write[ttl];
}

export interface CacheChoice {
  /** The cheapest choice: a TTL, or null to send the prefix uncached. */
  ttl: CacheTtl | null;
  /** Expected price per prefix token per call of each choice. */
  prices: { none: number } & Record<CacheTtl, number>;
}

/**
 * Picks the cache lifetime with the lowest expected price, given for each TTL the share of calls
 * that come within it of the call before. Ties go to the cheaper commitment: no cache over a
 * cache, 5 minutes over 1 hour.
 */
export function chooseCacheTtl(prices: CachePrices, hitShare: Record<CacheTtl, number>): CacheChoice {
  const expected = {
    none: prices.input,
    '5m': expectedPrefixPrice(prices, '5m', hitShare['5m']),
    '1h': expectedPrefixPrice(prices, '1h', hitShare['1h']),
  };
  let ttl: CacheTtl | null = null;
  let best = expected.none;
  for (const candidate of CACHE_TTLS) {
    if (expected[candidate] < best - 1e-12) {
      ttl = candidate;
      best = expected[candidate];
    }
  }
  return { ttl, prices: expected };
}
