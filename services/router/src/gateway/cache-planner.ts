import { createHash } from 'node:crypto';
import type { ModelPrice } from '@forge/contracts';
import { cacheablePrefix, cacheablePrefixChars, type PromptCacheRequest } from '@forge/models';
import { discountsFor, type ModelCandidate, type RoutingConfig } from '@forge/policy';
import type { CallHistory } from '@forge/store';
import type { Logger } from '@forge/telemetry';
import { CACHE_TTL_MS, CACHE_TTLS, type CacheTtl, cachePrices, chooseCacheTtl } from './cache-economics.js';
import { CallCadence, shareWithin } from './call-cadence.js';
import type { CallInput } from './call-context.js';

/** A call's cacheable prefix, and what the planner decided for it. */
export interface CachePlan {
  /** Names the prefix (skill, model, stable text, tool definitions): OpenAI's prompt_cache_key. */
  key: string;
  /** The prefix's size by the gateway's estimate (characters / 4), tool definitions included. */
  prefixTokens: number;
  /** What to ask the vendor: absent when sending the prefix uncached is cheapest. */
  request?: PromptCacheRequest;
  /** Why, for the span: `5m`, `1h`, or the reason for none. */
  decision: string;
}

export interface CachePlannerDeps {
  /** Where a skill's earlier calls are read from when the planner first meets it (the ledger). */
  history?: CallHistory;
  /** Epoch ms; the bench passes its simulated clock. */
  clock?: () => number;
  logger?: Logger;
}

/**
 * Decides, per attempt, whether and how long a call's stable prefix is cached, by the
 * break-even rule (see `cache-economics.ts`): the prefix must reach `gateway.caching.minPrefixTokens`
 * (vendors cache nothing shorter); at Anthropic the lifetime is the cheapest of none, 5 minutes
 * and 1 hour given how often the prefix is asked again (its own recent calls, else how soon the
 * skill's other prefixes were asked again, else the route's `cadence`, else the gaps between any
 * of the skill's calls, this router's and the ledger's; with nothing known, no cache until the
 * second call shows a rhythm; the first call of a skill in a process waits for one ledger read);
 * at OpenAI, which bills no writes, the prefix is always named
 * and kept with extended retention. Offline and OpenAI-compatible models are never planned.
 */
export class CachePlanner {
  readonly #deps: CachePlannerDeps;
  readonly #clock: () => number;
  #cadence: CallCadence | undefined;
  #cadenceSize = 0;
  readonly #seeded = new Map<string, Promise<void>>();

  constructor(deps: CachePlannerDeps = {}) {
    this.#deps = deps;
    this.#clock = deps.clock ?? Date.now;
  }

  async plan(args: {
    config: RoutingConfig;
    skill: string | null;
    candidate: ModelCandidate;
    price: ModelPrice | undefined;
    input: CallInput;
  }): Promise<CachePlan | undefined> {
    const { config, skill, candidate, price, input } = args;
    const { caching } = config.gateway;
    if (!caching.enabled || price === undefined) return undefined;
    const vendor = candidate.provider;
    if (vendor !== 'anthropic' && vendor !== 'openai') return undefined;
    const parts = cacheablePrefix(input);
    const schema = input.output ? JSON.stringify(input.output.jsonSchema) : '';
    if (parts.length === 0 && schema === '') return undefined;
    const prefixTokens = Math.ceil((cacheablePrefixChars(input) + schema.length) / 4);
    if (prefixTokens < caching.minPrefixTokens) return undefined;
    const key = prefixKey(
      skill,
      candidate.model,
      parts.map((p) => p.text),
      schema,
    );
    const cadence = this.#cadenceFor(config);
    // The first call of a skill in this process reads the skill's rhythm from the ledger first
    // (one query per skill), so a restarted router plans as the one before it did.
    if (skill !== null) await this.#seed(config, skill);

    if (vendor === 'openai') {
      // No write is billed: naming the prefix and keeping it long can only save.
      return { key, prefixTokens, request: { ttl: '1h', key }, decision: '1h' };
    }
    // How soon this prefix is asked again: its own calls, else its skill's other prefixes, else
    // the schedule in config, else any two calls of the skill (this router's and the ledger's).
    const now = this.#clock();
    const hinted = skill === null ? undefined : discountsFor(config, skill).cadenceMs;
    const gaps =
      cadence.prefixGaps(skill, key, now) ??
      (hinted === undefined ? cadence.skillGaps(skill, now) : [hinted]);
    if (gaps === undefined) return { key, prefixTokens, decision: 'none: no rhythm known yet' };
    const shares = {} as Record<CacheTtl, number>;
    for (const ttl of CACHE_TTLS) shares[ttl] = shareWithin(gaps, CACHE_TTL_MS[ttl]);
    const choice = chooseCacheTtl(cachePrices(price, true), shares);
    if (choice.ttl === null) {
      return {
        key,
        prefixTokens,
        decision: `none: asked again too rarely (${(shares['1h'] * 100).toFixed(0)}% within 1h)`,
      };
    }
    return { key, prefixTokens, request: { ttl: choice.ttl, key }, decision: choice.ttl };
  }

  /** An answered call with this prefix: part of the rhythm the next plans read. */
  observe(plan: CachePlan, skill: string | null): void {
    this.#cadence?.record(skill, plan.key, this.#clock());
  }

  /** Resolves once the ledger's history of `skill` has been read (tests wait on it). */
  seeded(skill: string): Promise<void> {
    return this.#seeded.get(skill) ?? Promise.resolve();
  }

  #cadenceFor(config: RoutingConfig): CallCadence {
    // A reload that changes the history size starts the memory over; it refills within calls.
    if (!this.#cadence || this.#cadenceSize !== config.gateway.caching.historySize) {
      this.#cadence = new CallCadence(config.gateway.caching.historySize);
      this.#cadenceSize = config.gateway.caching.historySize;
      this.#seeded.clear();
    }
    return this.#cadence;
  }

  #seed(config: RoutingConfig, skill: string): Promise<void> {
    const history = this.#deps.history;
    const known = this.#seeded.get(skill);
    if (!history || known) return known ?? Promise.resolve();
    const { historyWindow, historySize } = config.gateway.caching;
    const cadence = this.#cadence;
    const since = new Date(this.#clock() - historyWindow);
    const reading = history
      .recentCalls(skill, since, historySize)
      .then((times) =>
        cadence?.seed(
          skill,
          times.map((t) => t.getTime()),
        ),
      )
      .catch((error: unknown) => {
        // Without the ledger's history the planner learns the rhythm from the calls it sees.
        this.#deps.logger?.warn({ skill, err: String(error) }, 'cannot read the skill’s call history');
      });
    this.#seeded.set(skill, reading);
    return reading;
  }
}

function prefixKey(skill: string | null, model: string, texts: readonly string[], schema: string): string {
  const hash = createHash('sha256').update(`${skill ?? ''}\u0000${model}`);
  for (const text of texts) hash.update('\u0000').update(text);
  hash.update('\u0001').update(schema);
  return `forge-${hash.digest('base64url').slice(0, 40)}`;
}
