// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are YAML with ${NAME} references, not templates
import { isForgeError } from '@forge/contracts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseYamlConfig } from './yaml-config.js';

const Schema = z.strictObject({
  feeds: z.array(
    z.strictObject({ id: z.string().min(1), url: z.url(), tags: z.array(z.string()).default([]) }),
  ),
});
const options = { what: 'feeds config', vars: { DAY_URL: 'http://127.0.0.1:8590' } };

describe('parseYamlConfig', () => {
  it('substitutes ${NAME} from the variables it is given', () => {
    const config = parseYamlConfig(
      'feeds:\n  - id: a\n    url: ${DAY_URL}/feeds/a.xml\n',
      'feeds.yaml',
      Schema,
      options,
    );
    expect(config.feeds).toEqual([{ id: 'a', url: 'http://127.0.0.1:8590/feeds/a.xml', tags: [] }]);
  });

  it('lists every issue at once, each with its field path and line, and unset names', () => {
    const text = [
      'feeds:',
      '  - id: a',
      '    url: not a url',
      '  - id: ""',
      '    url: ${NOPE}/x',
      '    extra: 1',
    ].join('\n');
    let error: unknown;
    try {
      parseYamlConfig(text, 'feeds.yaml', Schema, options);
    } catch (caught) {
      error = caught;
    }
    expect(isForgeError(error, 'BAD_CONFIG')).toBe(true);
    const issues = (error as { details: { issues: string[] } }).details.issues;
    expect(issues).toEqual([
      '${NOPE} is not set (feeds.yaml line 5)',
      'feeds[0].url: Invalid URL (feeds.yaml line 3)',
      'feeds[1].id: Too small: expected string to have >=1 characters (feeds.yaml line 4)',
      'feeds[1].url: Invalid URL (feeds.yaml line 5)',
      'feeds[1].extra: unknown field (feeds.yaml line 6)',
    ]);
    expect((error as Error).message).toMatch(/^invalid feeds config feeds\.yaml: /);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(() => parseYamlConfig('feeds:\n  - id: a\n   url: [', 'feeds.yaml', Schema, options)).toThrow(
      /feeds\.yaml line \d/,
    );
    expect(() => parseYamlConfig('a: 1\na: 2\n', 'f.yaml', z.object({}), options)).toThrow(/f\.yaml line 2/);
  });
});
