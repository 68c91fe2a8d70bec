import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageOf } from './args.js';
import { readSkillInput } from './skill-input.js';

describe('readSkillInput', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'forge-input-'));
    await writeFile(join(dir, 'in.json'), '{"xml":"<rss/>"}');
    await writeFile(join(dir, 'feed.xml'), '<rss/>');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads inline JSON, @file JSON, and {} when absent', async () => {
    expect(await readSkillInput('{"a":[1]}')).toEqual({ a: [1] });
    expect(await readSkillInput('@in.json', dir)).toEqual({ xml: '<rss/>' });
    expect(await readSkillInput(undefined)).toEqual({});
  });

  it('names --input when the text is not JSON or the file is missing', async () => {
    const bad = readSkillInput('{nope');
    await expect(bad).rejects.toThrow(/^invalid --input: the value is not JSON \(/);
    await expect(readSkillInput('@feed.xml', dir)).rejects.toThrow(
      /^invalid --input: @feed\.xml is not JSON/,
    );
    await expect(readSkillInput('@missing.json', dir)).rejects.toThrow(
      /^invalid --input: cannot read .*missing\.json \(ENOENT\)/,
    );
    expect(usageOf(await bad.catch((error: unknown) => error))).toBe('send');
  });
});
