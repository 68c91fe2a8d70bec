/** How close to its expiry a cache entry is still counted on: a call this late may just miss it. */
export const EXPIRY_MARGIN_MS = 10_000;

/** At most this many prefixes are remembered; a full table forgets the least recently seen. */
const MAX_KEYS = 10_000;

/**
 * The rhythm of a skill's calls, as the router has seen it, in three kinds of gaps:
 * - a prefix's own: the time between calls with the same cacheable prefix (the last
 *   `historySize` calls of each prefix), the current call's gap from the last one included;
 * - the skill's pooled: the gaps between calls with the same prefix over all the skill's
 *   prefixes, for a prefix too new to have its own (how soon a prefix of this skill is asked again);
 * - the skill's raw: the gaps between any two calls of the skill, also seeded from the ledger when
 *   the router first meets the skill (the ledger does not know prefixes), the last resort.
 * From the gaps, the share of calls that came within a window of the call before: how often a
 * cache entry of that lifetime would have been read.
 */
export class CallCadence {
  readonly #historySize: number;
  readonly #byKey = new Map<string, number[]>();
  readonly #pooled = new Map<string, number[]>();
  readonly #bySkill = new Map<string, number[]>();

  constructor(historySize: number) {
    this.#historySize = historySize;
  }

  /** One answered call of `skill` with prefix `key` at `at` (epoch ms). */
  record(skill: string | null, key: string, at: number): void {
    const last = this.#byKey.get(key)?.at(-1);
    this.#push(this.#byKey, key, at, true);
    if (skill === null) return;
    if (last !== undefined && at >= last) this.#push(this.#pooled, skill, at - last, false);
    this.#push(this.#bySkill, skill, at, true);
  }

  /** Earlier calls of `skill` (from the ledger), merged with what was seen since. */
  seed(skill: string, times: readonly number[]): void {
    const merged = [...(this.#bySkill.get(skill) ?? []), ...times].sort((a, b) => a - b);
    this.#bySkill.set(skill, [...new Set(merged)].slice(-this.#historySize));
  }

  /**
   * Gaps that say how soon this prefix is asked again: its own (with the current call's), else
   * the skill's pooled same-prefix gaps; undefined when neither is known.
   */
  prefixGaps(skill: string | null, key: string, now: number): number[] | undefined {
    const own = gapsOf(this.#byKey.get(key), now);
    if (own.length > 0) return own;
    const pooled = skill === null ? undefined : this.#pooled.get(skill);
    return pooled && pooled.length > 0 ? [...pooled] : undefined;
  }

  /** Gaps between any two calls of the skill (the current one included); undefined when none. */
  skillGaps(skill: string | null, now: number): number[] | undefined {
    if (skill === null) return undefined;
    const gaps = gapsOf(this.#bySkill.get(skill), now);
    return gaps.length > 0 ? gaps : undefined;
  }

  #push(map: Map<string, number[]>, id: string, value: number, sorted: boolean): void {
    const values = map.get(id) ?? [];
    map.delete(id);
    if (map.size >= MAX_KEYS) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
    values.push(value);
    if (sorted) values.sort((a, b) => a - b);
    if (values.length > this.#historySize) values.splice(0, values.length - this.#historySize);
    map.set(id, values);
  }
}

/** The share of `gaps` no longer than `windowMs` less the expiry margin. */
export function shareWithin(gaps: readonly number[], windowMs: number): number {
  const limit = windowMs - EXPIRY_MARGIN_MS;
  return gaps.filter((gap) => gap <= limit).length / gaps.length;
}

function gapsOf(times: readonly number[] | undefined, now: number): number[] {
  if (!times || times.length === 0) return [];
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push(times[i]! - times[i - 1]!);
  const last = times[times.length - 1]!;
  if (now > last) gaps.push(now - last);
  return gaps;
}
