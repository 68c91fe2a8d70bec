/** How close to its expiry a cache entry is still counted on: a call this late may just miss it. */
export const EXPIRY_MARGIN_MS = 10_000;

/** At most this many prefixes are remembered; a full table forgets the least recently seen. */
const MAX_KEYS = 10_000;

/**
 * The rhythm of a skill's calls, as the router has seen it: the last `historySize` call times of
 * each cache prefix and of each skill (the skill's also seeded from the ledger when the router
 * first meets it, so a restart does not forget). From them, the share of calls that came within
 * a given window of the call before: how often a cache entry of that lifetime would have been read.
 */
export class CallCadence {
  readonly #historySize: number;
  readonly #byKey = new Map<string, number[]>();
  readonly #bySkill = new Map<string, number[]>();

  constructor(historySize: number) {
    this.#historySize = historySize;
  }

  /** One answered call of `skill` with prefix `key` at `at` (epoch ms). */
  record(skill: string | null, key: string, at: number): void {
    this.#push(this.#byKey, key, at);
    if (skill !== null) this.#push(this.#bySkill, skill, at);
  }

  /** Earlier calls of `skill` (from the ledger), merged with what was seen since. */
  seed(skill: string, times: readonly number[]): void {
    const merged = [...(this.#bySkill.get(skill) ?? []), ...times].sort((a, b) => a - b);
    this.#bySkill.set(skill, [...new Set(merged)].slice(-this.#historySize));
  }

  /**
   * The share of recent gaps between calls no longer than `windowMs` less the expiry margin,
   * counting the call being made `now` (it came this long after the last one): from the prefix's
   * own calls when two or more gaps are known, else from the skill's, else undefined (nothing
   * known yet).
   */
  hitShare(skill: string | null, key: string, windowMs: number, now: number): number | undefined {
    const own = gapsOf(this.#byKey.get(key), now);
    const gaps = own.length >= 2 || skill === null ? own : gapsOf(this.#bySkill.get(skill), now);
    if (gaps.length === 0) return undefined;
    const limit = windowMs - EXPIRY_MARGIN_MS;
    return gaps.filter((gap) => gap <= limit).length / gaps.length;
  }

  #push(map: Map<string, number[]>, id: string, at: number): void {
    const times = map.get(id) ?? [];
    map.delete(id);
    if (map.size >= MAX_KEYS) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
    times.push(at);
    times.sort((a, b) => a - b);
    if (times.length > this.#historySize) times.splice(0, times.length - this.#historySize);
    map.set(id, times);
  }
}

function gapsOf(times: readonly number[] | undefined, now: number): number[] {
  if (!times || times.length === 0) return [];
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push(times[i]! - times[i - 1]!);
  const last = times[times.length - 1]!;
  if (now > last) gaps.push(now - last);
  return gaps;
}
