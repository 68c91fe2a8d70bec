import type { SkillManifest } from '@forge/contracts';
import { isForgeError } from '@forge/contracts';
import { type TestBrain, testBrain } from '@forge/testkit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger } from '../test/fixtures.js';
import { migrate } from './migrate.js';
import { createPool } from './pool.js';
import { schemaForBrain } from './schema-name.js';
import { PgSkillRegistry } from './skill-registry.js';

function manifest(skill: string, overrides: Partial<SkillManifest> = {}): SkillManifest {
  return {
    skill,
    agent: skill.split('.')[0]!,
    description: `does ${skill}`,
    tierHint: 'small',
    critical: false,
    inputSchema: { type: 'object' },
    outputSchema: { type: 'object', properties: { score: { type: 'number' } } },
    ...overrides,
  };
}

describe('PgSkillRegistry', () => {
  let brain: TestBrain;
  let pool: pg.Pool;
  let registry: PgSkillRegistry;

  beforeAll(async () => {
    brain = await testBrain('skills');
    const schema = schemaForBrain(brain.name);
    await migrate({ databaseUrl: brain.databaseUrl, schema, logger: quietLogger() });
    pool = createPool({ connectionString: brain.databaseUrl, max: 2, logger: quietLogger() });
    registry = new PgSkillRegistry(pool, schema);
  });
  afterAll(async () => {
    await pool.end();
    await brain.cleanup();
  });

  it('registers, reads back and lists manifests in skill order', async () => {
    const review = manifest('compliance.review', { tierHint: 'frontier', critical: true });
    const score = manifest('scout.score-headlines');
    await registry.register([score, review]);
    expect(await registry.get('compliance.review')).toEqual(review);
    expect(await registry.list()).toEqual([review, score]);
    expect(await registry.get('scout.unknown')).toBeNull();
  });

  it('upserts: registering again replaces the manifest, and the last duplicate in a batch wins', async () => {
    await registry.register([manifest('diary.write', { description: 'v1' })]);
    await registry.register([
      manifest('diary.write', { description: 'v2' }),
      manifest('diary.write', { description: 'v3', tierHint: 'mid' }),
    ]);
    expect(await registry.get('diary.write')).toMatchObject({ description: 'v3', tierHint: 'mid' });
  });

  it('accepts an empty batch and refuses invalid manifests, naming the field', async () => {
    await registry.register([]);
    const error = await registry
      .register([manifest('scout.fetch-feed', { tierHint: 'huge' as never })])
      .catch((e: unknown) => e);
    expect(isForgeError(error, 'BAD_INPUT')).toBe(true);
    expect((error as Error).message).toMatch(/manifests\.0\.tierHint/);
    await expect(registry.get('not a ref')).rejects.toThrow(/skill/);
  });
});
