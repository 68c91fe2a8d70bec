import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceStatus, UpReport } from '@forge/cli';
import { connectTestNats, deleteBrainStreams, testNatsUrl, uniqueBrain } from '@forge/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ForgeUp, REPO_ROOT, runForge, startForgeUp } from './forge-process.js';
import { freePortBase, isPortFree } from './free-ports.js';

const SERVICES = ['scout', 'engagement', 'compliance', 'publisher', 'marketing', 'diary'];
const FEED_INPUT = join(REPO_ROOT, 'e2e', 'fixtures', 'parse-feed-input.json');
/** Done-when: each service under 150 MB RSS (the embedded Postgres host is apart). */
const SERVICE_RSS_LIMIT_MB = 150;

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)![1]) / 1024;
}

describe('forge up, status and send against the real NATS and the embedded Postgres', () => {
  const brain = uniqueBrain('e2e');
  let stateDir: string;
  let portBase: number;
  let env: NodeJS.ProcessEnv;
  let up: ForgeUp;
  let report: UpReport;
  let readyAfterMs: number;
  let databaseUrl: string;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'forge-e2e-'));
    portBase = await freePortBase();
    env = { ...process.env, NATS_URL: testNatsUrl(), FORGE_LOG_LEVEL: 'warn' };
    // No DATABASE_URL: forge up starts the embedded Postgres, cold, in the state folder.
    delete env.DATABASE_URL;
    const startedAt = performance.now();
    up = startForgeUp(['--brain', brain, '--port-base', String(portBase), '--state-dir', stateDir], env);
    report = (await up.waitForEvent('ready', 90_000)) as unknown as UpReport;
    readyAfterMs = Math.round(performance.now() - startedAt);
    databaseUrl = report.postgres.url;
  }, 120_000);

  afterAll(async () => {
    if (up && (await up.exited(0)) === null) {
      up.child.kill('SIGTERM');
      if ((await up.exited(20_000)) === null) up.child.kill('SIGKILL');
    }
    const nc = await connectTestNats('forge-e2e-cleanup');
    try {
      await deleteBrainStreams(nc, brain);
    } finally {
      await nc.close();
    }
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('brings up all six services on the brain ports, each small, and says where things are', async () => {
    expect(report.brain).toBe(brain);
    expect(report.services.map((service) => [service.name, service.port])).toEqual(
      SERVICES.map((name, index) => [name, portBase + index + 1]),
    );
    expect(report.postgres).toMatchObject({ embedded: true, schema: `forge_${brain}` });
    expect(report.postgres.url).toContain(`:${portBase + 50}/`);
    expect(report.operatorKeyFile).toBe(join(stateDir, brain, 'operator.key'));
    const rows = await Promise.all(
      report.services.map(async (service) => ({ name: service.name, rssMb: await rssMb(service.pid!) })),
    );
    const pgRss = await rssMb(report.postgres.pid!);
    console.log(
      `forge up (cold state folder) ready in ${readyAfterMs} ms (CLI's own measure ${report.elapsedMs} ms); ` +
        `RSS MB: ${rows.map((row) => `${row.name} ${row.rssMb.toFixed(1)}`).join(', ')}; ` +
        `embedded Postgres host ${pgRss.toFixed(1)}`,
    );
    for (const row of rows) expect(row.rssMb, row.name).toBeLessThan(SERVICE_RSS_LIMIT_MB);
  });

  it('reports all six healthy, and every card is fetchable JSON with skills', async () => {
    const result = await runForge(['status', '--brain', brain, '--state-dir', stateDir, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const services = (JSON.parse(result.stdout) as { services: ServiceStatus[] }).services;
    expect(services.map((service) => [service.name, service.healthy])).toEqual(
      SERVICES.map((name) => [name, true]),
    );
    for (const service of services) {
      const res = await fetch(service.card!);
      expect(res.status).toBe(200);
      const card = (await res.json()) as { name: string; skills: { id: string }[] };
      expect(card.skills.length, service.name).toBeGreaterThan(0);
    }
  });

  it('sends scout.parse-feed and gets a completed task that is in Postgres', async () => {
    const result = await runForge(
      [
        'send',
        'scout',
        'parse-feed',
        '--input',
        `@${FEED_INPUT}`,
        '--brain',
        brain,
        '--state-dir',
        stateDir,
        '--json',
      ],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const task = JSON.parse(result.stdout) as {
      id: string;
      status: { state: string };
      artifacts: { artifactId: string; parts: { data?: unknown }[] }[];
    };
    expect(task.status.state).toBe('TASK_STATE_COMPLETED');
    const output = task.artifacts.find((artifact) => artifact.artifactId === 'result')?.parts[0]?.data as {
      items: { title: string; link: string }[];
      counts: { total: number; new: number; duplicateInBatch: number };
    };
    expect(output.counts).toMatchObject({ total: 3, new: 2, duplicateInBatch: 1 });
    expect(output.items.map((item) => item.link)).toEqual([
      'https://example.com/news/drip-irrigation',
      'https://example.com/news/testing-rules',
    ]);

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const rows = await client.query(
        `select state, agent, skill, owner, output from "forge_${brain}".tasks where id = $1`,
        [task.id],
      );
      expect(rows.rows).toHaveLength(1);
      expect(rows.rows[0]).toMatchObject({ state: 'completed', agent: 'scout', owner: 'operator' });
      expect(rows.rows[0].output.counts.new).toBe(2);
    } finally {
      await client.end();
    }
  });

  it('exits 1 with the failed task when the skill refuses its input', async () => {
    const result = await runForge(
      [
        'send',
        'scout',
        'parse-feed',
        '--input',
        '{"xml":"not a feed"}',
        '--brain',
        brain,
        '--state-dir',
        stateDir,
        '--json',
      ],
      env,
    );
    expect(result.code, result.stderr).toBe(1);
    const task = JSON.parse(result.stdout) as { status: { state: string } };
    expect(['TASK_STATE_FAILED', 'TASK_STATE_REJECTED']).toContain(task.status.state);
  });

  it('stops everything on SIGTERM, exits 0 and frees every port', async () => {
    const pids = [...report.services.map((service) => service.pid!), report.postgres.pid!];
    up.child.kill('SIGTERM');
    expect(await up.exited(30_000)).toBe(0);
    expect(up.events.map((event) => event.event)).toEqual(['ready', 'stopping', 'stopped']);
    for (const pid of pids) expect(() => process.kill(pid, 0), `pid ${pid}`).toThrow();
    const ports = [...report.services.map((service) => service.port), portBase + 50];
    for (const port of ports) expect(await isPortFree(port), `port ${port}`).toBe(true);
  });
});
