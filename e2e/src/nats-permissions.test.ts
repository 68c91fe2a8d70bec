import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hashPassword } from '@forge/service-runtime';
import { createPool, PgApprovalRepository, schemaForBrain } from '@forge/store';
import { dropBrainSchema, testDatabaseUrl, uniqueBrain } from '@forge/testkit';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, runForge } from './forge-process.js';
import { freePortBase } from './free-ports.js';
import { acquireMeshLock, MESH_LOCK_WAIT_MS } from './mesh-lock.js';

/**
 * The NATS users and subject permissions the chart renders (k8s/brain-a/forge.yaml, which CI keeps
 * equal to the chart's output), loaded into a nats-server of this test's own; the router and scout
 * run as the image runs them, each as its own NATS user. A task must run end to end, the console's
 * approval must reach the router, and a user must be refused another service's subjects.
 */
const ENTRYPOINT = join(REPO_ROOT, 'deploy', 'docker', 'entrypoint.mjs');
const run = promisify(execFile);
const FEED_INPUT = join(REPO_ROOT, 'e2e', 'fixtures', 'parse-feed-input.json');
const REPLY_INPUT = join(REPO_ROOT, 'e2e', 'fixtures', 'draft-reply-input.json');

/** The accounts template and its render script, as the chart's ConfigMap carries them. */
async function chartAccounts(brain: string): Promise<{ template: string; script: string }> {
  const text = await readFile(join(REPO_ROOT, 'k8s', 'brain-a', 'forge.yaml'), 'utf8');
  for (const doc of parseAllDocuments(text)) {
    const object = doc.toJS() as { kind?: string; data?: Record<string, string> } | null;
    const conf = object?.kind === 'ConfigMap' ? object.data?.['accounts.conf'] : undefined;
    // brain A is `acme`: this test's brain takes its place, so runs never share names.
    if (conf) {
      return {
        template: conf
          .replaceAll('forge.acme.', `forge.${brain}.`)
          .replaceAll('FORGE_ACME_', `FORGE_${brain.toUpperCase()}_`),
        script: object!.data!['render-accounts.sh']!,
      };
    }
  }
  throw new Error('k8s/brain-a/forge.yaml has no accounts.conf');
}

/** The operator's day files (day.yaml, feeds.yaml, schedules.yaml) as the chart's day ConfigMap carries them. */
async function chartDayFiles(): Promise<Record<string, string>> {
  const text = await readFile(join(REPO_ROOT, 'k8s', 'brain-a', 'forge.yaml'), 'utf8');
  for (const doc of parseAllDocuments(text)) {
    const object = doc.toJS() as { kind?: string; data?: Record<string, string> } | null;
    if (object?.kind === 'ConfigMap' && object.data?.['feeds.yaml']) return object.data;
  }
  throw new Error('k8s/brain-a/forge.yaml has no day ConfigMap (feeds.yaml)');
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('NATS users and subject permissions from the chart, on a real nats-server', () => {
  const brain = uniqueBrain('perm');
  const passwords: Record<string, string> = {};
  const children: ChildProcess[] = [];
  const logs: string[] = [];
  let dir: string;
  let base: number;
  let natsPort: number;
  const apiKey = `fk_${randomBytes(16).toString('hex')}`;
  let releaseMesh: (() => Promise<void>) | undefined;

  const natsUrl = (service: string) => `nats://forge-${service}:${passwords[service]}@127.0.0.1:${natsPort}`;
  const start = (command: string, args: string[], env: NodeJS.ProcessEnv, name: string) => {
    const child = spawn(command, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      logs.push(
        ...chunk
          .toString()
          .split('\n')
          .map((line) => `${name}: ${line}`),
      );
      if (logs.length > 300) logs.splice(0, logs.length - 300);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    children.push(child);
    return child;
  };
  const service = (name: string, port: number, extra: NodeJS.ProcessEnv = {}) =>
    start(
      process.execPath,
      [ENTRYPOINT, name],
      {
        PATH: process.env.PATH,
        FORGE_BRAIN: brain,
        FORGE_HOST: '127.0.0.1',
        FORGE_PORT: String(port),
        FORGE_LOG_LEVEL: 'warn',
        FORGE_API_KEYS_FILE: join(dir, 'api-keys.json'),
        // Mounted from the chart's day ConfigMap, as the pods have them.
        FORGE_DAY_CONFIG: join(dir, 'day', 'day.yaml'),
        FORGE_FEEDS_CONFIG: join(dir, 'day', 'feeds.yaml'),
        FORGE_SHUTDOWN_GRACE_MS: '2000',
        NATS_URL: natsUrl(name),
        DATABASE_URL: testDatabaseUrl(),
        ...extra,
      },
      name,
    );

  beforeAll(async () => {
    releaseMesh = await acquireMeshLock('nats-permissions');
    dir = await mkdtemp(join(tmpdir(), 'forge-perm-'));
    base = await freePortBase();
    natsPort = base + 9;
    // Hex passwords, some starting with a digit: NATS would misread those were they not quoted.
    ['router', 'scout', 'engagement', 'compliance', 'publisher', 'marketing', 'diary', 'console'].forEach(
      (name, i) => {
        passwords[name] = `${i}${randomBytes(12).toString('hex')}`;
      },
    );
    const natsEnv = Object.fromEntries(
      Object.entries(passwords).map(([name, password]) => [`NATS_PW_${name.toUpperCase()}`, password]),
    );
    // What the chart's init container runs before the bundled NATS starts.
    const accounts = await chartAccounts(brain);
    await writeFile(join(dir, 'accounts.template.conf'), accounts.template);
    await writeFile(join(dir, 'render-accounts.sh'), accounts.script);
    await run(
      'sh',
      [join(dir, 'render-accounts.sh'), join(dir, 'accounts.template.conf'), join(dir, 'accounts.conf')],
      { env: { PATH: process.env.PATH, ...natsEnv } },
    );
    await writeFile(
      join(dir, 'nats.conf'),
      `port: ${natsPort}\nhost: 127.0.0.1\njetstream { store_dir: "${join(dir, 'js')}" }\ninclude ./accounts.conf\n`,
    );
    await mkdir(join(dir, 'day'));
    for (const [file, content] of Object.entries(await chartDayFiles())) {
      await writeFile(join(dir, 'day', file), content);
    }
    const { hashApiKey } = await import('@forge/service-runtime');
    await writeFile(
      join(dir, 'api-keys.json'),
      JSON.stringify({
        v: 1,
        keys: [{ principal: 'operator', sha256: hashApiKey(apiKey), createdAt: new Date().toISOString() }],
      }),
    );
    start('nats-server', ['-c', join(dir, 'nats.conf')], { PATH: process.env.PATH }, 'nats');
    await waitFor(() => accepts(natsPort), 10_000, 'nats-server').catch((error: Error) => {
      throw new Error(`${error.message}\n${logs.join('\n')}`);
    });
    service('router', base);
    await waitFor(
      () =>
        fetch(`http://127.0.0.1:${base}/readyz`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
      'a ready router',
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${logs.join('\n')}`);
    });
    // Scout reads the chart's feeds; engagement and the diary read the brain's events with durables
    // of their own (engagement-stories, diary-observations), which their users must be allowed.
    service('scout', base + 1);
    service('engagement', base + 2);
    service('diary', base + 3);
    for (const port of [base + 1, base + 2, base + 3]) {
      await waitFor(
        () =>
          fetch(`http://127.0.0.1:${port}/readyz`).then(
            (r) => r.ok,
            () => false,
          ),
        60_000,
        `a ready agent on ${port}`,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${logs.join('\n')}`);
      });
    }
  }, MESH_LOCK_WAIT_MS + 420_000);

  afterAll(async () => {
    for (const child of children.reverse()) {
      if (child.exitCode !== null) continue;
      child.kill('SIGTERM');
      await new Promise((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve(undefined);
        }, 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve(undefined);
        });
      });
    }
    await dropBrainSchema(testDatabaseUrl(), brain);
    if (dir) await rm(dir, { recursive: true, force: true });
    await releaseMesh?.();
  }, 60_000);

  it('runs scout.parse-feed through the router, each service as its own NATS user', async () => {
    const result = await runForge(
      [
        'send',
        'scout',
        'parse-feed',
        '--input',
        `@${FEED_INPUT}`,
        '--port-base',
        String(base),
        '--brain',
        brain,
        '--json',
      ],
      { ...process.env, FORGE_API_KEY: apiKey, FORGE_STATE_DIR: dir },
    );
    expect(result.code, `${result.stderr}\n${logs.join('\n')}`).toBe(0);
    expect((JSON.parse(result.stdout) as { status: { state: string } }).status.state).toBe(
      'TASK_STATE_COMPLETED',
    );
    expect(logs.filter((line) => /permissions violation/i.test(line))).toEqual([]);
  }, 60_000);

  it("runs engagement.draft-reply: the agent asks the router's model gateway over NATS (offline models)", async () => {
    const result = await runForge(
      [
        'send',
        'engagement',
        'draft-reply',
        '--input',
        `@${REPLY_INPUT}`,
        '--port-base',
        String(base),
        '--brain',
        brain,
        '--json',
        '--timeout',
        '40',
      ],
      { ...process.env, FORGE_API_KEY: apiKey, FORGE_STATE_DIR: dir },
    );
    expect(result.code, `${result.stderr}\n${logs.join('\n')}`).toBe(0);
    expect((JSON.parse(result.stdout) as { status: { state: string } }).status.state).toBe(
      'TASK_STATE_COMPLETED',
    );
    expect(logs.filter((line) => /permissions violation/i.test(line))).toEqual([]);
  }, 60_000);

  it('runs the console as its own NATS user: an approval is handed to the router, nothing refused', async () => {
    const password = `perm-${randomBytes(8).toString('hex')}`;
    const port = base + 7;
    service('console', port, {
      FORGE_CONSOLE_PASSWORD_HASH: await hashPassword(password),
      FORGE_ROUTING_CONFIG: join(REPO_ROOT, 'config', 'forge.yaml'),
    });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      () =>
        fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        ),
      60_000,
      'a ready console',
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${logs.join('\n')}`);
    });
    const pool = createPool({ connectionString: testDatabaseUrl(), max: 1 });
    const schema = schemaForBrain(brain);
    try {
      const id = randomUUID();
      await new PgApprovalRepository(pool, schema).create({
        id,
        sourceKey: `perm:${id}`,
        status: 'pending',
        channel: 'x',
        draft: 'A post the console approves under its own NATS user.',
        verdict: null,
        originTaskId: null,
        requestedBy: 'compliance',
      });
      const form = await fetch(`${url}/login`);
      const loginCsrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
      const login = await fetch(`${url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: form.headers.get('set-cookie')!.split(';')[0]!,
        },
        body: new URLSearchParams({ username: 'operator', password, _csrf: loginCsrf }),
      });
      expect(login.status).toBe(303);
      const session = login.headers
        .getSetCookie()
        .find((c) => c.startsWith('forge_session='))!
        .split(';')[0]!;
      const page = await (await fetch(`${url}/approvals`, { headers: { cookie: session } })).text();
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
      const approved = await fetch(`${url}/approvals/${id}/approve`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf }),
      });
      expect(approved.status, logs.join('\n')).toBe(303);
      // The router took the hand-off the console published on task.route: no publisher runs here, so
      // it refuses the unregistered skill, which only a router that received the task can do.
      await waitFor(
        async () =>
          (
            await pool.query<{ state: string; code: string | null }>(
              `select state, error->>'code' as code from ${schema}.tasks where idempotency_key = $1`,
              [`publish:${id}`],
            )
          ).rows[0]?.code === 'UNKNOWN_SKILL',
        30_000,
        'the hand-off at the router',
      );
      expect(logs.filter((line) => /permissions violation/i.test(line))).toEqual([]);
    } finally {
      await pool.end();
    }
  }, 120_000);

  it("refuses scout's user another agent's queue and another brain's subjects", async () => {
    const nc = await connect({
      servers: `127.0.0.1:${natsPort}`,
      user: 'forge-scout',
      pass: passwords.scout!,
    });
    try {
      const js = jetstream(nc, { timeout: 2_000 });
      await expect(js.publish(`forge.${brain}.task.run.engagement`, '{}')).rejects.toThrow(
        /permission|timeout/i,
      );
      await expect(nc.request(`forge.otherbrain.model.call`, '{}', { timeout: 2_000 })).rejects.toThrow(
        /permission|timeout|no responders/i,
      );
    } finally {
      await nc.close();
    }
    // The password of another service does not open scout's user.
    await expect(
      connect({
        servers: `127.0.0.1:${natsPort}`,
        user: 'forge-scout',
        pass: passwords.router!,
        reconnect: false,
      }),
    ).rejects.toThrow(/auth/i);
  }, 60_000);
});
