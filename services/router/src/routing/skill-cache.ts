import type { SkillManifest, SkillRef } from '@forge/contracts';
import type { SkillRegistry } from '@forge/store';

/**
 * Skill manifests by ref, read through from the registry. A hit younger than `ttlMs` is served
 * from memory; a miss (or a stale entry) reads the registry, so a skill registered a moment ago is
 * found at once, and a manifest that changed (a skill newly declared critical) is seen within
 * `ttlMs`. Unknown skills are not cached.
 */
export class SkillCache {
  readonly #registry: SkillRegistry;
  readonly #ttlMs: number;
  readonly #entries = new Map<string, { manifest: SkillManifest; at: number }>();

  constructor(registry: SkillRegistry, ttlMs = 30_000) {
    this.#registry = registry;
    this.#ttlMs = ttlMs;
  }

  async get(skill: SkillRef): Promise<SkillManifest | null> {
    const hit = this.#entries.get(skill);
    if (hit && Date.now() - hit.at < this.#ttlMs) return hit.manifest;
    const manifest = await this.#registry.get(skill);
    if (manifest) this.#entries.set(skill, { manifest, at: Date.now() });
    else this.#entries.delete(skill);
    return manifest;
  }
}
