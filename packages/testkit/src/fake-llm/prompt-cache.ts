import { createHash, type Hash } from 'node:crypto';

/** What the cache made of one prompt, in Forge's normalised counts (input excludes cache tokens). */
export interface CacheAccount {
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
}

/** One piece of a prompt in the order the vendor reads it; `chars` 0 for pieces not counted (tools). */
export interface PromptBlock {
  /** What identifies the piece (its JSON without cache markers). */
  identity: string;
  chars: number;
  /** Anthropic: a `cache_control` breakpoint at the end of this block, with its TTL. */
  breakpoint?: '5m' | '1h';
}

export interface PromptCacheOptions {
  clock: () => number;
  /** Prompts (up to a breakpoint, at Anthropic; whole, at OpenAI) shorter than this are never cached. */
  minTokens: number;
  /** OpenAI's in-memory retention when the request does not ask for 24 h. */
  openaiInMemoryMs: number;
}

const TTL_MS = { '5m': 5 * 60_000, '1h': 60 * 60_000 } as const;
const DAY_MS = 24 * 60 * 60_000;
/** OpenAI counts cache hits in steps of 128 tokens (512 characters by the fake's count). */
const OPENAI_STEP_CHARS = 512;
/** Anthropic looks back at most this many blocks before a breakpoint for a cached prefix. */
const LOOKBACK_BLOCKS = 20;
/** A bound on the entries kept, so a long benchmark cannot grow the cache without end. */
const MAX_ENTRIES = 200_000;

const tokensOf = (chars: number): number => Math.ceil(chars / 4);

interface Entry {
  expiresAt: number;
  ttlMs: number;
}

/**
 * The fake's prompt cache, both vendors' semantics, on a clock the test or bench controls.
 *
 * Anthropic: only prefixes ending at a `cache_control` breakpoint are written, each for its TTL;
 * a request reads the longest prefix already cached (looking back up to 20 blocks from each
 * breakpoint), refreshing its lifetime; it writes the prefixes up to its later breakpoints
 * (counted as 5-minute or 1-hour writes by the breakpoint closing each stretch); the rest is
 * input. Prefixes under `minTokens` are never cached.
 *
 * OpenAI: caching is automatic for prompts of `minTokens` or more, in 128-token steps, keyed
 * by model and `prompt_cache_key`; the longest cached step is read (`cached_tokens`), and every
 * step of the prompt is kept for the retention the request asked (`24h`) or the in-memory
 * default. Nothing is billed as a write.
 */
export class FakePromptCache {
  readonly #entries = new Map<string, Entry>();
  readonly #opts: PromptCacheOptions;

  constructor(opts: PromptCacheOptions) {
    this.#opts = opts;
  }

  /** Forgets everything. */
  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  anthropic(model: string, blocks: readonly PromptBlock[]): CacheAccount {
    const now = this.#opts.clock();
    const hash = createHash('sha256').update(`anthropic\u0000${model}\u0000`);
    const ends: Array<{ key: string; tokens: number; breakpoint?: '5m' | '1h' }> = [];
    let chars = 0;
    for (const block of blocks) {
      hash.update(block.identity).update('\u0001');
      chars += block.chars;
      ends.push({
        key: digestOf(hash),
        tokens: tokensOf(chars),
        ...(block.breakpoint ? { breakpoint: block.breakpoint } : {}),
      });
    }
    const total = tokensOf(chars);
    const breakpoints = ends.flatMap((e, i) => (e.breakpoint ? [i] : []));
    if (breakpoints.length === 0)
      return { inputTokens: total, cacheReadTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0 };

    let readAt = -1;
    const last = breakpoints.at(-1)!;
    for (let i = last; i >= 0 && i >= last - LOOKBACK_BLOCKS && readAt < 0; i--) {
      if (this.#live(ends[i]!.key, now)) readAt = i;
    }
    let read = 0;
    if (readAt >= 0) {
      read = ends[readAt]!.tokens;
      this.#touch(ends[readAt]!.key, now);
    }
    let written = read;
    const writes = { '5m': 0, '1h': 0 };
    for (const i of breakpoints) {
      if (i <= readAt) continue;
      const end = ends[i]!;
      if (end.tokens < this.#opts.minTokens) continue;
      const ttl = end.breakpoint!;
      writes[ttl] += end.tokens - written;
      written = end.tokens;
      this.#put(end.key, now, TTL_MS[ttl]);
    }
    return {
      inputTokens: total - written,
      cacheReadTokens: read,
      cacheWriteTokens: writes['5m'],
      cacheWrite1hTokens: writes['1h'],
    };
  }

  /**
   * `header` identifies what precedes the messages (tools, response format); `text` is the
   * prompt's text in order. Returns the cached part; the caller renders it inside prompt_tokens.
   */
  openai(model: string, cacheKey: string, retention24h: boolean, header: string, text: string): CacheAccount {
    const now = this.#opts.clock();
    const total = tokensOf(text.length);
    const none = { inputTokens: total, cacheReadTokens: 0, cacheWriteTokens: 0, cacheWrite1hTokens: 0 };
    if (total < this.#opts.minTokens) return none;
    const hash = createHash('sha256').update(`openai\u0000${model}\u0000${cacheKey}\u0000${header}\u0000`);
    const firstStep = this.#opts.minTokens * 4;
    const keys: Array<{ key: string; tokens: number }> = [];
    let at = 0;
    for (let end = firstStep; end <= text.length; end += OPENAI_STEP_CHARS) {
      hash.update(text.slice(at, end));
      at = end;
      keys.push({ key: digestOf(hash), tokens: tokensOf(end) });
    }
    let cached = 0;
    for (let i = keys.length - 1; i >= 0; i--) {
      if (this.#live(keys[i]!.key, now)) {
        cached = keys[i]!.tokens;
        break;
      }
    }
    const retention = retention24h ? DAY_MS : this.#opts.openaiInMemoryMs;
    for (const { key } of keys) this.#put(key, now, retention);
    return { ...none, inputTokens: total - cached, cacheReadTokens: cached };
  }

  #live(key: string, now: number): boolean {
    const entry = this.#entries.get(key);
    if (!entry) return false;
    if (entry.expiresAt > now) return true;
    this.#entries.delete(key);
    return false;
  }

  /** A read refreshes the entry's lifetime, as both vendors do. */
  #touch(key: string, now: number): void {
    const entry = this.#entries.get(key);
    if (entry) entry.expiresAt = now + entry.ttlMs;
  }

  #put(key: string, now: number, ttlMs: number): void {
    if (!this.#entries.has(key) && this.#entries.size >= MAX_ENTRIES) this.#evict(now);
    const old = this.#entries.get(key);
    // A shorter write never cuts the life of a longer entry already there.
    const expiresAt = Math.max(old?.expiresAt ?? 0, now + ttlMs);
    this.#entries.set(key, { expiresAt, ttlMs: Math.max(old?.ttlMs ?? 0, ttlMs) });
  }

  #evict(now: number): void {
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
    // Still full: drop the oldest half (insertion order), as a vendor's cache would evict.
    if (this.#entries.size >= MAX_ENTRIES) {
      let drop = Math.floor(this.#entries.size / 2);
      for (const key of this.#entries.keys()) {
        if (drop-- <= 0) break;
        this.#entries.delete(key);
      }
    }
  }
}

function digestOf(hash: Hash): string {
  return hash.copy().digest('base64url');
}
