import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runForge } from './forge-process.js';
import { freePortBase } from './free-ports.js';

/** The compiled CLI answers a bad flag or a missing backend with one line, never a stack trace. */
describe('forge errors, from the compiled CLI', () => {
  let stateDir: string;
  let portBase: number;
  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'forge-errors-'));
    portBase = await freePortBase();
  });
  afterAll(() => rm(stateDir, { recursive: true, force: true }));

  const base = () => ['--brain', 'errs', '--port-base', String(portBase), '--state-dir', stateDir];
  const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m);

  it('names a wrong flag, shows the usage and exits 2', async () => {
    const result = await runForge(['up', '--port-base', 'abc'], process.env);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('forge: invalid --port-base: must be a whole number');
    expect(result.stderr).toContain('usage: forge up');
    noStack(result.stderr);
  });

  it('says NATS cannot be reached when none answers and nats-server is not on PATH', async () => {
    const env = { ...process.env, PATH: stateDir, NATS_URL: `nats://127.0.0.1:${portBase + 9}` };
    const result = await runForge(['up', ...base()], env);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      `forge: cannot reach NATS at nats://127.0.0.1:${portBase + 9} (is nats-server running? install it with \`apt-get install -y nats-server\`, or set NATS_URL)`,
    ]);
  });

  it('says Postgres cannot be reached, with the password masked', async () => {
    const env = { ...process.env, DATABASE_URL: `postgres://forge:pa55word@127.0.0.1:${portBase + 8}/app` };
    const result = await runForge(['up', ...base(), '--json'], env);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    const error = JSON.parse(lines.at(-1)!) as { error: { code: string; message: string } };
    expect(error.error.code).toBe('UNAVAILABLE');
    expect(error.error.message).toMatch(
      new RegExp(
        `^cannot reach Postgres at postgres://forge:\\*\\*\\*@127\\.0\\.0\\.1:${portBase + 8}/app \\(`,
      ),
    );
    expect(result.stderr + result.stdout).not.toContain('pa55word');
    noStack(result.stderr);
  });

  it('says where route explain and costs looked when no brain database is reachable', async () => {
    const env = { ...process.env, DATABASE_URL: '' };
    const explain = await runForge(['route', 'explain', 'compliance.review', ...base()], env);
    expect(explain.code).toBe(1);
    expect(explain.stderr.trim().split('\n')).toEqual([
      `forge: cannot reach brain errs's registry and ledger: no forge up is running for it (no live ${stateDir}/errs/mesh.json) and DATABASE_URL is not set; start \`forge up --brain errs\` or set DATABASE_URL`,
    ]);
    const costs = await runForge(['costs', ...base(), '--json'], {
      ...process.env,
      DATABASE_URL: `postgres://forge:pa55word@127.0.0.1:${portBase + 8}/app`,
    });
    expect(costs.code).toBe(1);
    const error = JSON.parse(costs.stderr.trim()) as { error: { code: string; message: string } };
    expect(error.error.code).toBe('UNAVAILABLE');
    expect(error.error.message).toMatch(/^cannot reach Postgres at DATABASE_URL postgres:\/\/forge:\*\*\*@/);
    expect(costs.stderr + costs.stdout).not.toContain('pa55word');
    noStack(explain.stderr + costs.stderr);
  });

  it('names --input when it is not JSON', async () => {
    const result = await runForge(
      ['send', 'scout', 'parse-feed', '--input', '{oops', ...base()],
      process.env,
    );
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(/^forge: invalid --input: the value is not JSON \(/);
    noStack(result.stderr);
  });
});
