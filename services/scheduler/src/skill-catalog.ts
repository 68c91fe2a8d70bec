import type { SkillManifest } from '@forge/contracts';
import type { SkillRegistry } from '@forge/store';

/** A missing skill is looked up again at most this often (agents register as they start). */
const MISS_RECHECK_MS = 1_000;

/**
 * The skill registry as the scheduler needs it: what is registered now, re-read at most every
 * `ttlMs` (agents register when they start, so a skill missing at start-up appears later).
 */
export class SkillCatalog {
  readonly #registry: SkillRegistry;
  readonly #ttlMs: number;
  #loaded: { at: number; skills: Map<string, SkillManifest> } | null = null;

  constructor(registry: SkillRegistry, ttlMs = 10_000) {
    this.#registry = registry;
    this.#ttlMs = ttlMs;
  }

  async skills(): Promise<ReadonlyMap<string, SkillManifest>> {
    if (!this.#loaded || Date.now() - this.#loaded.at > this.#ttlMs) {
      const list = await this.#registry.list();
      this.#loaded = { at: Date.now(), skills: new Map(list.map((m) => [m.skill, m])) };
    }
    return this.#loaded.skills;
  }

  /** The skill's manifest; a skill not there is looked up again when the copy is over a second old. */
  async get(skill: string): Promise<SkillManifest | null> {
    const found = (await this.skills()).get(skill);
    if (found) return found;
    if (this.#loaded && Date.now() - this.#loaded.at > MISS_RECHECK_MS) {
      this.#loaded = null;
      return (await this.skills()).get(skill) ?? null;
    }
    return null;
  }

  /** Forgets what was read, so the next question reads the registry. */
  refresh(): void {
    this.#loaded = null;
  }
}
