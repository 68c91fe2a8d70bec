import { dropBrainSchema, testDatabaseUrl, uniqueBrain } from '@forge/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { memoryIo } from '../io.js';

describe('forge migrate', () => {
  const brain = uniqueBrain('migrate');
  afterAll(() => dropBrainSchema(testDatabaseUrl(), brain));

  it('applies the migrations to the brain schema once, then finds it up to date', async () => {
    const env = { DATABASE_URL: testDatabaseUrl() };
    const first = memoryIo(env);
    expect(await runCli(['migrate', '--brain', brain, '--json'], first)).toBe(0);
    const applied = JSON.parse(first.stdout[0]!) as { schema: string; applied: string[] };
    expect(applied.schema).toBe(`forge_${brain}`);
    expect(applied.applied.length).toBeGreaterThan(0);
    const second = memoryIo(env);
    expect(await runCli(['migrate', '--brain', brain], second)).toBe(0);
    expect(second.stdout).toEqual([`forge_${brain}: up to date`]);
  });

  it('names DATABASE_URL when it is missing or wrong (exit 2)', async () => {
    const missing = memoryIo();
    expect(await runCli(['migrate'], missing)).toBe(2);
    expect(missing.stderr[0]).toBe('forge: invalid DATABASE_URL: is required');
    const wrong = memoryIo({ DATABASE_URL: 'mysql://x' });
    expect(await runCli(['migrate'], wrong)).toBe(2);
    expect(wrong.stderr[0]).toBe('forge: invalid DATABASE_URL: must be a postgres:// URL');
  });

  it('gives up after --wait when Postgres never answers (exit 1, the URL without its password)', async () => {
    const io = memoryIo({ DATABASE_URL: 'postgres://forge:secret@127.0.0.1:9/forge' });
    expect(await runCli(['migrate', '--wait', '0.1'], io)).toBe(1);
    expect(io.stderr.at(-1)).toMatch(/^forge: migrations into forge_local .* failed/);
    expect(io.stderr.join('\n')).not.toContain('secret');
  });
});
