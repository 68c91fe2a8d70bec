import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { memoryIo } from './io.js';

describe('runCli', () => {
  it('answers a wrong flag with one line naming it, then the usage, exit 2', async () => {
    const io = memoryIo();
    expect(await runCli(['up', '--port-bas', '7400'], io)).toBe(2);
    expect(io.stderr[0]).toBe('forge: unknown flag --port-bas');
    expect(io.stderr[1]).toMatch(/^usage: forge up/);
    expect(io.stdout).toEqual([]);
  });

  it('keeps errors to one JSON line with --json', async () => {
    const io = memoryIo();
    expect(await runCli(['status', '--json', '--brain', 'NO'], io)).toBe(2);
    expect(io.stderr).toHaveLength(1);
    expect(JSON.parse(io.stderr[0]!)).toEqual({
      error: { code: 'BAD_INPUT', message: expect.stringMatching(/^invalid --brain: /) },
    });
  });

  it('fails send without a key with one line that says where it looked, exit 1', async () => {
    const io = memoryIo({ FORGE_STATE_DIR: '/nonexistent/forge-state' });
    expect(await runCli(['send', 'scout', 'parse-feed'], io)).toBe(1);
    expect(io.stderr).toEqual([
      'forge: no API key: set FORGE_API_KEY or run `forge up` first (no /nonexistent/forge-state/local/operator.key)',
    ]);
  });

  it('adds the stack only with FORGE_DEBUG=1', async () => {
    const io = memoryIo({ FORGE_STATE_DIR: '/nonexistent/forge-state', FORGE_DEBUG: '1' });
    await runCli(['send', 'scout', 'parse-feed'], io);
    expect(io.stderr[1]).toMatch(/^ForgeError: no API key[\s\S]*\n\s+at /);
  });

  it('prints usage for help', async () => {
    const io = memoryIo();
    expect(await runCli(['help', 'send'], io)).toBe(0);
    expect(io.stdout[0]).toMatch(/^usage: forge send <agent> <skill>/);
  });
});
