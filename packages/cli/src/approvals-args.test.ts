import { describe, expect, it } from 'vitest';
import { parseCommand } from './args.js';

const ID = '0b6c5b76-58d4-4a55-9a3b-1b8a2f7b1e01';

describe('forge approvals arguments', () => {
  it('parses list with filters, show, approve with an edit and a time, reject with a reason', () => {
    expect(parseCommand(['approvals', 'list', '--status', 'pending', '--limit', '5'], {})).toMatchObject({
      name: 'approvals',
      options: { action: 'list', status: 'pending', limit: 5, id: undefined },
    });
    expect(parseCommand(['approvals', 'show', ID, '--json'], {})).toMatchObject({
      options: { action: 'show', id: ID, json: true },
    });
    expect(
      parseCommand(['approvals', 'approve', ID, '--text', 'Shorter.', '--at', '2026-12-01T15:00:00Z'], {}),
    ).toMatchObject({ options: { action: 'approve', text: 'Shorter.', at: '2026-12-01T15:00:00Z' } });
    const now = parseCommand(['approvals', 'approve', ID, '--now'], {});
    expect(Date.parse((now as { options: { at: string } }).options.at)).toBeLessThanOrEqual(Date.now());
    expect(
      parseCommand(['approvals', 'reject', ID, '--reason', 'off brand'], { FORGE_API_KEY: 'k' }),
    ).toMatchObject({
      options: { action: 'reject', reason: 'off brand', apiKey: 'k' },
    });
  });

  it('names what is wrong', () => {
    expect(() => parseCommand(['approvals'], {})).toThrow(/expected list, show, approve or reject/);
    expect(() => parseCommand(['approvals', 'show', 'nope'], {})).toThrow(/invalid <id>/);
    expect(() => parseCommand(['approvals', 'reject', ID], {})).toThrow(/reject needs --reason/);
    expect(() => parseCommand(['approvals', 'list', '--status', 'maybe'], {})).toThrow(/invalid --status/);
    expect(() => parseCommand(['approvals', 'list', '--text', 'x'], {})).toThrow(
      /--text does not apply to list/,
    );
    expect(() => parseCommand(['approvals', 'approve', ID, '--at', 'tomorrow'], {})).toThrow(/invalid --at/);
    expect(() =>
      parseCommand(['approvals', 'approve', ID, '--at', '2026-12-01T15:00:00Z', '--now'], {}),
    ).toThrow(/--at or --now/);
  });
});
