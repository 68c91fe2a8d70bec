import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  connectTestNats,
  deleteBrainStreams,
  dropBrainSchema,
  parsePrometheusText,
  testDatabaseUrl,
  testNatsUrl,
  uniqueBrain,
} from '@forge/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './forge-process.js';
import { freePortBase } from './free-ports.js';

/** The container image's entrypoint, run here as the image runs it (the same file, the same layout). */
const ENTRYPOINT = join(REPO_ROOT, 'deploy', 'docker', 'entrypoint.mjs');
const run = promisify(execFile);

function entrypoint(args: string[], env: NodeJS.ProcessEnv) {
  return run(process.execPath, [ENTRYPOINT, ...args], { cwd: '/', env, timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === 'number' ? error.code : 1,
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? '',
    }),
  );
}

async function waitForStatus(url: string, status: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await fetch(url).then(
      (res) => res.status,
      () => 0,
    );
    if (got === status) return;
    if (Date.now() > deadline) throw new Error(`${url} answered ${got}, not ${status}, for ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

describe('the image entrypoint (deploy/docker/entrypoint.mjs)', () => {
  const brain = uniqueBrain('image');
  const children: ChildProcess[] = [];
  const env = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    FORGE_BRAIN: brain,
    DATABASE_URL: testDatabaseUrl(),
    NATS_URL: testNatsUrl(),
    FORGE_LOG_LEVEL: 'warn',
    FORGE_HOST: '127.0.0.1',
    ...extra,
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    const nc = await connectTestNats('forge-image-cleanup');
    try {
      await deleteBrainStreams(nc, brain);
    } finally {
      await nc.close();
    }
    await dropBrainSchema(testDatabaseUrl(), brain);
  }, 30_000);

  it('lists the built services and refuses an unknown one (exit 2)', async () => {
    const list = await entrypoint(['--list'], env({}));
    expect(list.stdout.trim().split('\n')).toEqual(
      expect.arrayContaining([
        'router',
        'scout',
        'engagement',
        'compliance',
        'publisher',
        'marketing',
        'diary',
      ]),
    );
    const unknown = await entrypoint(['nope'], env({}));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown service 'nope'");
  });

  it('migrate applies the brain schema (what the chart’s Job runs)', async () => {
    const result = await entrypoint(['migrate', '--json'], env({}));
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ schema: `forge_${brain}` });
  });

  it('runs the router as the chart configures it: probes on its port, /metrics on a port of its own, SIGTERM stops it', async () => {
    const base = await freePortBase();
    const child = spawn(process.execPath, [ENTRYPOINT, 'router'], {
      cwd: '/',
      env: env({ FORGE_PORT: String(base), FORGE_METRICS_PORT: String(base + 1), FORGE_ENVIRONMENT: 'test' }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await waitForStatus(`http://127.0.0.1:${base}/readyz`, 200, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${stderr}`);
    });
    expect((await fetch(`http://127.0.0.1:${base}/livez`)).status).toBe(200);
    // The metrics port answers the scrape; the service port (the one an ingress may reach) does not.
    const scrape = await fetch(`http://127.0.0.1:${base + 1}/metrics`);
    expect(scrape.status).toBe(200);
    const samples = parsePrometheusText(await scrape.text());
    const target = samples.find((sample) => sample.name === 'target_info');
    expect(target?.labels).toMatchObject({
      service_name: 'forge-router',
      service_namespace: brain,
      deployment_environment: 'test',
    });
    expect(samples.some((sample) => sample.name === 'forge_budget_remaining')).toBe(true);
    expect((await fetch(`http://127.0.0.1:${base}/metrics`)).status).toBe(404);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  }, 120_000);
});
