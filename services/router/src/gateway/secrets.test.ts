import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isForgeError } from '@forge/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSecret } from './secrets.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forge-secrets-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readSecret', () => {
  it('reads the variable, else the file its _FILE twin names (trimmed), else nothing', async () => {
    const file = join(dir, 'anthropic.key');
    await writeFile(file, 'sk-ant-from-file\n');
    expect(readSecret({ ANTHROPIC_API_KEY: ' sk-ant-direct ' }, 'ANTHROPIC_API_KEY')).toBe('sk-ant-direct');
    expect(readSecret({ ANTHROPIC_API_KEY: '', ANTHROPIC_API_KEY_FILE: file }, 'ANTHROPIC_API_KEY')).toBe(
      'sk-ant-from-file',
    );
    expect(readSecret({}, 'ANTHROPIC_API_KEY')).toBeUndefined();
  });

  it('names the variable, never the value, when the file cannot be used', async () => {
    const empty = join(dir, 'empty.key');
    await writeFile(empty, '  \n');
    for (const path of [join(dir, 'missing.key'), empty]) {
      const error = (() => {
        try {
          readSecret({ OPENAI_API_KEY_FILE: path }, 'OPENAI_API_KEY');
        } catch (e) {
          return e;
        }
      })();
      expect(isForgeError(error, 'BAD_CONFIG')).toBe(true);
      expect((error as Error).message).toMatch(/^OPENAI_API_KEY_FILE: /);
    }
  });
});
