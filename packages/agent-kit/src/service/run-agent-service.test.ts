import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus } from '@forge/bus';
import { TaskEnvelope } from '@forge/contracts';
import { hashApiKey } from '@forge/service-runtime';
import { createLogger } from '@forge/telemetry';
import { type TestBrain, testBrain } from '@forge/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { KEYS, message, testAgent } from '../test-support/test-agent.js';
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

/** A port nothing listens on right now (the OS picks it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
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

  it('sends every new task through the router, as under forge up (no variable turns that off)', async () => {
    brain ??= await testBrain('kitrun');
    const dir = await mkdtemp(join(tmpdir(), 'forge-kitrun-'));
    const keysFile = join(dir, 'api-keys.json');
    const createdAt = new Date().toISOString();
    await writeFile(
      keysFile,
      JSON.stringify({ v: 1, keys: [{ principal: 'alice', sha256: hashApiKey(KEYS.alice), createdAt }] }),
    );
    const logger = createLogger({ name: 'kitrun-test', level: 'silent' });
    const watcher = await Bus.connect({
      servers: brain.natsUrl,
      name: 'kitrun-watch',
      brain: brain.name,
      logger,
    });
    const routed: TaskEnvelope[] = [];
    const sub = watcher.subscribe(watcher.subjects.taskRoute, TaskEnvelope, (e) => routed.push(e));
    await sub.ready;
    const port = await freePort();
    const fake = fakeProcess();
    try {
      await runAgentService(
        testAgent().agent,
        {
          FORGE_BRAIN: brain.name,
          FORGE_PORT: String(port),
          DATABASE_URL: brain.databaseUrl,
          NATS_URL: brain.natsUrl,
          FORGE_API_KEYS_FILE: keysFile,
          FORGE_LOG_LEVEL: 'warn',
          // The production switch this variable once was is gone: it changes nothing.
          FORGE_DISPATCH: 'direct',
        },
        { process: fake.proc },
      );
      const res = await fetch(`http://127.0.0.1:${port}/a2a/jsonrpc`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'a2a-version': '1.0',
          authorization: `Bearer ${KEYS.alice}`,
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'SendMessage',
          params: { message: message('echo', { text: 'hi' }), configuration: { returnImmediately: true } },
        }),
      });
      const body = (await res.json()) as { result?: { task?: { id: string; status: { state: string } } } };
      const task = body.result?.task;
      expect(task?.status.state).toBe('TASK_STATE_SUBMITTED');
      const until = Date.now() + 5_000;
      while (routed.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      // No router runs here: the task waits on task.route, where the router would stamp its tier.
      expect(routed.map((e) => [e.id, e.skill])).toEqual([[task?.id, 'tester.echo']]);
    } finally {
      fake.handlers.get('SIGTERM')?.();
      await fake.exit;
      sub.unsubscribe();
      await watcher.drain();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
