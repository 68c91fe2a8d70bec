import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CostReport, RouteExplanation, ServiceStatus, UpReport } from '@forge/cli';
import { connectTestNats, deleteBrainStreams, testNatsUrl, uniqueBrain } from '@forge/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ForgeUp, REPO_ROOT, runForge, startForgeUp } from './forge-process.js';
import { freePortBase, isPortFree } from './free-ports.js';
import { acquireMeshLock, MESH_LOCK_WAIT_MS } from './mesh-lock.js';

const AGENTS = ['scout', 'engagement', 'compliance', 'publisher', 'marketing', 'diary'];
const FEED_INPUT = join(REPO_ROOT, 'e2e', 'fixtures', 'parse-feed-input.json');
const REPLY_INPUT = join(REPO_ROOT, 'e2e', 'fixtures', 'draft-reply-input.json');
const REVIEW_INPUT = join(REPO_ROOT, 'e2e', 'fixtures', 'review-input.json');
/** Done-when: each service under 150 MB RSS (the embedded Postgres host is apart). */
const SERVICE_RSS_LIMIT_MB = 150;

interface A2ATask {
  id: string;
  status: { state: string; message?: { parts: { text?: string }[] } };
  artifacts: { artifactId: string; parts: { data?: unknown }[] }[];
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)![1]) / 1024;
}

/** The environment of a machine with no model keys: the mesh must run offline. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(ANTHROPIC|OPENAI)_(API_KEY|BASE_URL)/.test(key)),
  );
  return { ...env, NATS_URL: testNatsUrl(), FORGE_LOG_LEVEL: 'warn' };
}

describe('forge up: the router and six agents against the real NATS and the embedded Postgres', () => {
  const brain = uniqueBrain('e2e');
  let stateDir: string;
  let portBase: number;
  let env: NodeJS.ProcessEnv;
  let up: ForgeUp;
  let report: UpReport;
  let readyAfterMs: number;
  let db: pg.Client;
  let releaseMesh: (() => Promise<void>) | undefined;

  const flags = () => ['--brain', brain, '--state-dir', stateDir];
  const send = async (agent: string, skill: string, input: string) => {
    const result = await runForge(['send', agent, skill, '--input', input, ...flags(), '--json'], env);
    return { code: result.code, stderr: result.stderr, task: JSON.parse(result.stdout) as A2ATask };
  };
  const decisionOf = async (taskId: string) =>
    (
      await db.query(
        `select t.routing->>'tier' as stamped, d.tier, d.model, d.status, d.reasons
           from "forge_${brain}".tasks t join "forge_${brain}".routing_decisions d on d.task_id = t.id
          where t.id = $1`,
        [taskId],
      )
    ).rows[0] as
      | { stamped: string; tier: string; model: string | null; status: string; reasons: string[] }
      | undefined;

  /** The task's ledger rows once at least one is written, or none after `timeoutMs`. */
  const ledgerRowsOf = async (taskId: string, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await db.query(
        `select tier, provider, offline, stands_in_for, cost_micros::int as cost, shadow_cost_micros::int as shadow
           from "forge_${brain}".cost_ledger where task_id = $1 order by attempt, call_id, seq`,
        [taskId],
      );
      if (rows.length > 0 || Date.now() > deadline) return rows;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    releaseMesh = await acquireMeshLock('forge-up');
    stateDir = await mkdtemp(join(tmpdir(), 'forge-e2e-'));
    portBase = await freePortBase();
    env = offlineEnv();
    // No DATABASE_URL: forge up starts the embedded Postgres, cold, in the state folder.
    delete env.DATABASE_URL;
    const startedAt = performance.now();
    up = startForgeUp([...flags(), '--port-base', String(portBase)], env);
    report = (await up.waitForEvent('ready', 90_000)) as unknown as UpReport;
    readyAfterMs = Math.round(performance.now() - startedAt);
    db = new pg.Client({ connectionString: report.postgres.url });
    await db.connect();
  }, MESH_LOCK_WAIT_MS + 360_000);

  afterAll(async () => {
    await db?.end().catch(() => {});
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
    await releaseMesh?.();
  }, 60_000);

  it('brings up the router, the six agents, the scheduler, the offline day and the console, small processes, and says models run offline', async () => {
    expect(report.brain).toBe(brain);
    expect(report.services.map((service) => [service.name, service.port])).toEqual([
      ['router', portBase],
      ...AGENTS.map((name, index) => [name, portBase + index + 1]),
      ['scheduler', portBase + 7],
      ['day', portBase + 8],
      ['console', portBase + 9],
    ]);
    expect(report.router).toMatchObject({
      url: `http://127.0.0.1:${portBase}`,
      chatCompletions: `http://127.0.0.1:${portBase}/v1/chat/completions`,
      routingConfig: join(REPO_ROOT, 'config', 'forge.yaml'),
      offline: true,
    });
    expect(up.logTail(400)).toContain('!! MODELS RUN OFFLINE');
    expect(report.postgres).toMatchObject({ embedded: true, schema: `forge_${brain}` });
    expect(report.postgres.url).toContain(`:${portBase + 50}/`);
    const rows = await Promise.all(
      report.services.map(async (service) => ({ name: service.name, rssMb: await rssMb(service.pid!) })),
    );
    const pgRss = await rssMb(report.postgres.pid!);
    console.log(
      `forge up (cold state folder) ready in ${readyAfterMs} ms (CLI's own measure ${report.elapsedMs} ms); ` +
        `RSS MB: ${rows.map((row) => `${row.name} ${row.rssMb.toFixed(1)}`).join(', ')}; ` +
        `total ${rows.reduce((sum, row) => sum + row.rssMb, 0).toFixed(0)}; embedded Postgres (postmaster) ${pgRss.toFixed(1)}`,
    );
    for (const row of rows) expect(row.rssMb, row.name).toBeLessThan(SERVICE_RSS_LIMIT_MB);
  });

  it('reports all ten healthy, and every agent card is fetchable JSON with skills', async () => {
    const result = await runForge(['status', ...flags(), '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const services = (JSON.parse(result.stdout) as { services: ServiceStatus[] }).services;
    expect(services.map((service) => [service.name, service.healthy])).toEqual(
      ['router', ...AGENTS, 'scheduler', 'day', 'console'].map((name) => [name, true]),
    );
    for (const service of services.filter((entry) => entry.card !== null)) {
      const res = await fetch(service.card!);
      expect(res.status).toBe(200);
      const card = (await res.json()) as { name: string; skills: { id: string }[] };
      expect(card.skills.length, service.name).toBeGreaterThan(0);
    }
  });

  it('runs scout.parse-feed through the router: a tool task, its decision stored, completed', async () => {
    const { code, stderr, task } = await send('scout', 'parse-feed', `@${FEED_INPUT}`);
    expect(code, stderr).toBe(0);
    expect(task.status.state).toBe('TASK_STATE_COMPLETED');
    const output = task.artifacts.find((artifact) => artifact.artifactId === 'result')?.parts[0]?.data as {
      items: { link: string }[];
      counts: { total: number; new: number; duplicateInBatch: number };
    };
    expect(output.counts).toMatchObject({ total: 3, new: 2, duplicateInBatch: 1 });
    expect(await decisionOf(task.id)).toEqual({
      stamped: 'tool',
      tier: 'tool',
      model: null,
      status: 'routed',
      reasons: ['base: route in config says tool'],
    });
    const { rows } = await db.query(`select state, owner from "forge_${brain}".tasks where id = $1`, [
      task.id,
    ]);
    expect(rows).toEqual([{ state: 'completed', owner: 'operator' }]);
  });

  it('runs engagement.draft-reply on a model tier through the offline provider: $0 charged, shadow cost kept', async () => {
    const { code, stderr, task } = await send('engagement', 'draft-reply', `@${REPLY_INPUT}`);
    expect(code, stderr).toBe(0);
    expect(task.status.state).toBe('TASK_STATE_COMPLETED');
    expect(await decisionOf(task.id)).toMatchObject({ stamped: 'mid', tier: 'mid', status: 'routed' });
    // The router writes ledger rows behind the call (batched within FORGE_LEDGER_FLUSH_MS, a failed
    // write retried), so a task can complete before its row lands: wait for it, bounded.
    const rows = await ledgerRowsOf(task.id);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]).toMatchObject({ tier: 'mid', provider: 'offline', offline: true, cost: 0 });
    for (const row of rows) {
      expect(row).toMatchObject({ offline: true, cost: 0 });
      expect(row.shadow).toBeGreaterThan(0);
      expect(row.stands_in_for).toMatch(/^anthropic:claude-/);
    }
  });

  it('ends compliance.review input-required: offline never judges a critical skill', async () => {
    const { code, stderr, task } = await send('compliance', 'review', `@${REVIEW_INPUT}`);
    expect(code, stderr).toBe(0);
    expect(task.status.state).toBe('TASK_STATE_INPUT_REQUIRED');
    const why = task.status.message?.parts.map((part) => part.text ?? '').join(' ') ?? '';
    expect(why).toMatch(/critical/);
    expect(why).toMatch(/offline/);
    const decision = await decisionOf(task.id);
    expect(decision).toMatchObject({ tier: 'frontier', model: 'offline:frontier', status: 'routed' });

    // route explain runs the router's policy over the same config and registry: the same answer.
    const result = await runForge(['route', 'explain', 'compliance.review', ...flags(), '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const explained = JSON.parse(result.stdout) as RouteExplanation;
    expect(explained).toMatchObject({ skill: 'compliance.review', tier: 'frontier', critical: true });
    expect(explained.reasons.at(-1)).toMatch(/^critical floor: frontier/);
    expect([explained.model, explained.reasons]).toEqual([decision!.model, decision!.reasons]);
  });

  it('answers the OpenAI-compatible endpoint with the operator key, offline', async () => {
    const key = (await readFile(report.operatorKeyFile, 'utf8')).trim();
    const res = await fetch(report.router.chatCompletions, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'forge:small',
        messages: [{ role: 'user', content: 'Summarize: routing saves money.' }],
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      id: string;
      choices: { message: { content: string } }[];
      forge: { offline: boolean; cost_micros: number };
    };
    expect(body.choices[0]!.message.content.length).toBeGreaterThan(0);
    expect(body.forge).toMatchObject({ offline: true, cost_micros: 0 });
    // Booked under the request's id (the ledger is written behind the call; the costs test below
    // compares totals, so this row must have landed first).
    const rows = await ledgerRowsOf(body.id.replace(/^chatcmpl-/, ''));
    expect(rows).toEqual([expect.objectContaining({ tier: 'small', offline: true, cost: 0 })]);
  });

  it('reports costs from the ledger: no spend, the offline shadow cost apart, against all-frontier', async () => {
    const result = await runForge(['costs', ...flags(), '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const costs = JSON.parse(result.stdout) as CostReport;
    const { rows } = await db.query(
      `select count(*)::int as calls, sum(shadow_cost_micros)::int as shadow from "forge_${brain}".cost_ledger`,
    );
    expect(costs.totals).toMatchObject({
      calls: rows[0].calls,
      offlineCalls: rows[0].calls,
      spendMicros: 0,
      shadowMicros: rows[0].shadow,
    });
    expect(costs.totals.shadowMicros).toBeGreaterThan(0);
    expect(costs.allFrontier.model).toBe('anthropic:claude-opus-5.5');
    expect(costs.allFrontier.allFrontierMicros).toBeGreaterThanOrEqual(costs.totals.shadowMicros);
    expect(costs.byAgent.map((row) => row.agent)).toContain('engagement');
    expect(costs.monthToDate.spendMicros).toBe(0);
  });

  it('exits 1 with the failed task when the skill refuses its input', async () => {
    const { code, task } = await send('scout', 'parse-feed', '{"xml":"not a feed"}');
    expect(code).toBe(1);
    expect(['TASK_STATE_FAILED', 'TASK_STATE_REJECTED']).toContain(task.status.state);
  });

  it('stops everything on SIGTERM, exits 0 and frees every port', async () => {
    await db.end();
    const pids = [...report.services.map((service) => service.pid!), report.postgres.pid!];
    up.child.kill('SIGTERM');
    expect(await up.exited(30_000)).toBe(0);
    expect(up.events.map((event) => event.event)).toEqual(['ready', 'stopping', 'stopped']);
    for (const pid of pids) expect(() => process.kill(pid, 0), `pid ${pid}`).toThrow();
    const ports = [...report.services.map((service) => service.port), portBase + 50];
    for (const port of ports) expect(await isPortFree(port), `port ${port}`).toBe(true);
  });
});
