import { describe, expect, it } from 'vitest';
import { parseCommand } from './args.js';

describe('forge tasks and forge console arguments', () => {
  it('reads tasks filters, naming a bad flag', () => {
    const command = parseCommand(
      ['tasks', '--open', '--skill', 'publisher.publish', '--limit', '50', '--json'],
      {},
    );
    expect(command).toMatchObject({
      name: 'tasks',
      options: { open: true, skill: 'publisher.publish', limit: 50, json: true },
    });
    expect(parseCommand(['tasks'], {})).toMatchObject({
      options: { open: false, skill: undefined, limit: 20 },
    });
    expect(() => parseCommand(['tasks', '--limit', '0'], {})).toThrow(/limit/);
    expect(() => parseCommand(['tasks', '--skill', 'nope'], {})).toThrow(/skill/);
  });

  it('takes url (the default), reset-password or hash-password for console', () => {
    expect(parseCommand(['console'], {})).toMatchObject({ name: 'console', options: { action: 'url' } });
    expect(parseCommand(['console', 'reset-password'], {})).toMatchObject({
      options: { action: 'reset-password' },
    });
    expect(() => parseCommand(['console', 'open'], {})).toThrow(/unknown action 'open'/);
  });
});
