import { type TestBrain, testBrain } from '@forge/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { testAgent } from '../test-support/test-agent.js';
import { runAgentService } from './run-agent-service.js';

/** A stand-in for `process`: records stderr and the exit code, keeps signal handlers. */
function fakeProcess() {
  const lines: string[] = [];
  const handlers = new Map<string, () => void>();
  let exited: (code: number | undefined) => void = () => {};
  const exit = new Promise<number | undefined>((resolve) => (exited = resolve));
  const proc = {
    stderr: { write: (text: string) => lines.push(text) !== 0 },
    once: (event: string, handler: () => void) => handlers.set(event, handler),
    // The real exit never returns; runAgentService returns right after calling it.
    exit: (code?: number): never => {
      exited(code);
      return undefined as never;
    },
  };
  return { proc: proc as never, lines, handlers, exit };
}

describe('runAgentService', () => {
  let brain: TestBrain | undefined;
  afterAll(async () => {
    await brain?.cleanup();
  });

  const run = async (env: Record<string, string>) => {
    const fake = fakeProcess();
    await runAgentService(testAgent().agent, env, { process: fake.proc });
    return fake;
  };

  it('exits 1 with one line naming every bad variable', async () => {
    const { lines, exit } = await run({ FORGE_PORT: 'eighty', DATABASE_URL: 'mysql://root:pw@db/x' });
    expect(await exit).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^forge-tester: bad configuration: .*FORGE_PORT: .*DATABASE_URL: /);
    expect(lines[0]).not.toContain('pw@');
    expect(lines[0]!.trimEnd().split('\n')).toHaveLength(1);
  });

  it('exits 1 with one line when Postgres cannot be reached', async () => {
    const { lines, exit } = await run({
      FORGE_PORT: '0',
      DATABASE_URL: 'postgres://postgres:pw@127.0.0.1:1/test',
    });
    expect(await exit).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(/^forge-tester: cannot start: cannot reach Postgres at .*127\.0\.0\.1:1/),
    ]);
    expect(lines[0]).not.toContain(':pw@');
  });

  it('exits 1 with one line when NATS cannot be reached', async () => {
    brain = await testBrain('kitrun');
    const { lines, exit } = await run({
      FORGE_BRAIN: brain.name,
      FORGE_PORT: '0',
      DATABASE_URL: brain.databaseUrl,
      NATS_URL: 'nats://127.0.0.1:1',
    });
    expect(await exit).toBe(1);
    expect(lines).toEqual(['forge-tester: cannot start: cannot connect to NATS at nats://127.0.0.1:1\n']);
  });

  it('starts, and on SIGTERM stops through the one shutdown path and exits 0', async () => {
    brain ??= await testBrain('kitrun');
    const fake = fakeProcess();
    await runAgentService(
      testAgent().agent,
      {
        FORGE_BRAIN: brain.name,
        FORGE_PORT: '0',
        DATABASE_URL: brain.databaseUrl,
        NATS_URL: brain.natsUrl,
        FORGE_LOG_LEVEL: 'warn',
      },
      { process: fake.proc },
    );
    expect([...fake.handlers.keys()].sort()).toEqual(['SIGINT', 'SIGTERM']);
    fake.handlers.get('SIGTERM')!();
    expect(await fake.exit).toBe(0);
    expect(fake.lines).toEqual([]);
  });
});
