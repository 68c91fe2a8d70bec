import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestBrain, testBrain } from '@forge/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommand } from './args.js';
import { runCli } from './cli.js';
import { runUp } from './commands/up.js';
import { memoryIo } from './io.js';
import { MeshFile } from './mesh-file.js';
import { brainPaths, defaultRoutingConfigPath } from './paths.js';
import { busyPorts } from './ports.js';
import { AGENT_CARD_PATH, CONSOLE, ROUTER, SERVICE_TABLE } from './service-table.js';
import type { UpReport } from './up-report.js';

/**
 * A stand-in for a built service: answers /readyz and its card, and puts in the card the
 * environment it was given and when its main ran, so the test sees what forge up passes and in
 * which order. The router listens only 400 ms after its main runs. With CRASH_ONCE_DIR set,
 * diary crashes on its first start.
 */
const FAKE_MAIN = `
import { createServer } from 'node:http';
const mainAt = Date.now();
let listeningAt = null;
import { existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
const name = basename(process.cwd());
const crashMark = process.env.CRASH_ONCE_DIR && join(process.env.CRASH_ONCE_DIR, name);
if (name === 'diary' && crashMark && !existsSync(crashMark)) {
  writeFileSync(crashMark, '');
  console.error('crashing on purpose');
  process.exit(7);
}
const seen = {};
for (const key of ['FORGE_BRAIN', 'FORGE_HOST', 'FORGE_PORT', 'FORGE_PUBLIC_URL', 'NATS_URL', 'DATABASE_URL',
  'FORGE_API_KEYS_FILE', 'FORGE_LOG_LEVEL', 'FORGE_CONCURRENCY', 'FORGE_DISPATCH', 'FORGE_ROUTING_CONFIG',
  'FORGE_CONSOLE_PASSWORD_HASH_FILE'])
  seen[key] = process.env[key];
const server = createServer((req, res) => {
  if (req.url === '/readyz') return res.writeHead(200).end('ready');
  if (req.url === '/.well-known/agent-card.json') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ name, skills: [{ id: 'echo' }], seen, mainAt, listeningAt,
      instrumented: globalThis.instrumented === true }));
  }
  res.writeHead(404).end();
});
setTimeout(() => server.listen(Number(process.env.FORGE_PORT), process.env.FORGE_HOST, () => {
  listeningAt = Date.now();
  console.log(JSON.stringify({ level: 30, time: new Date().toISOString(), service: name, msg: 'listening' }));
}), name === 'router' ? 400 : 0);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** The environment without model keys, so the mesh runs offline whatever the machine has. */
function withoutModelKeys(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^(ANTHROPIC|OPENAI)_API_KEY/.test(key)));
}

async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 400) * 100;
    const ports = Array.from({ length: 10 }, (_, i) => ({ port: base + i }));
    if ((await busyPorts(ports)).length === 0) return base;
  }
  throw new Error('no free port range');
}

interface FakeCard {
  name: string;
  seen: Record<string, string>;
  mainAt: number;
  listeningAt: number;
  instrumented: boolean;
}

/** What a stand-in says about itself (the router has no card in the report; the stand-in serves one anyway). */
async function fakeCard(service: { url: string }): Promise<FakeCard> {
  return (await (await fetch(`${service.url}${AGENT_CARD_PATH}`)).json()) as FakeCard;
}

describe('runUp with stand-in services, the real NATS and the real Postgres', () => {
  let root: string;
  let brain: TestBrain;
  let portBase: number;
  const stop = new AbortController();
  const io = memoryIo();
  let exit: Promise<number>;
  let report: UpReport;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'forge-up-'));
    for (const { name } of SERVICE_TABLE) {
      const dist = join(root, 'services', name, 'dist');
      await mkdir(dist, { recursive: true });
      await writeFile(join(dist, 'main.js'), FAKE_MAIN);
      await writeFile(join(dist, 'instrumentation.js'), 'globalThis.instrumented = true;\n');
    }
    await mkdir(join(root, 'crash'));
    brain = await testBrain('cliup');
    portBase = await freePortBase();
    const env = {
      ...withoutModelKeys(process.env),
      DATABASE_URL: brain.databaseUrl,
      NATS_URL: brain.natsUrl,
      CRASH_ONCE_DIR: join(root, 'crash'),
    };
    const command = parseCommand(
      [
        'up',
        '--brain',
        brain.name,
        '--port-base',
        String(portBase),
        '--state-dir',
        join(root, 'state'),
        '--json',
      ],
      env,
    );
    if (command.name !== 'up') throw new Error('expected up');
    const upIo = { ...io, env };
    const ready = new Promise<UpReport>((resolve) => {
      exit = runUp(command.options, upIo, { root, stop: stop.signal, onReady: resolve });
      exit.catch(() => resolve(null as never));
    });
    report = await ready;
    if (!report) await exit;
  }, 60_000);

  afterAll(async () => {
    stop.abort();
    await exit?.catch(() => {});
    await brain?.cleanup();
    await rm(root, { recursive: true, force: true });
  }, 30_000);

  it('starts every service with the mesh settings, its instrumentation first', async () => {
    // No federation config: every service but the gateway.
    expect(report.services.map((service) => service.name)).toEqual(
      SERVICE_TABLE.filter((spec) => spec.federation !== true).map((spec) => spec.name),
    );
    const paths = brainPaths(join(root, 'state'), brain.name);
    // The console's first-login secret: in this first report, and in its 0600 file.
    const consoleService = report.services.find((service) => service.name === CONSOLE)!;
    expect(report.console).toEqual({
      url: consoleService.url,
      operator: 'operator',
      passwordFile: paths.consolePassword,
      firstLoginSecret: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/),
    });
    expect((await readFile(paths.consolePassword, 'utf8')).trim()).toBe(report.console!.firstLoginSecret);
    for (const service of report.services) {
      const card = await fakeCard(service);
      expect(card.name).toBe(service.name);
      // FORGE_DISPATCH is gone: agents route through the router with nothing set.
      // The console also reads the routing config, and its password hash from the brain's folder.
      const role =
        service.name === ROUTER
          ? { FORGE_ROUTING_CONFIG: defaultRoutingConfigPath() }
          : service.name === CONSOLE
            ? {
                FORGE_ROUTING_CONFIG: defaultRoutingConfigPath(),
                FORGE_CONSOLE_PASSWORD_HASH_FILE: paths.consolePasswordHash,
              }
            : {};
      expect(card.instrumented).toBe(true);
      expect(card.seen).toEqual({
        FORGE_BRAIN: brain.name,
        FORGE_HOST: '127.0.0.1',
        FORGE_PORT: String(service.port),
        FORGE_PUBLIC_URL: service.url,
        NATS_URL: brain.natsUrl,
        DATABASE_URL: brain.databaseUrl,
        FORGE_API_KEYS_FILE: paths.apiKeys,
        FORGE_LOG_LEVEL: 'info',
        FORGE_CONCURRENCY: '4',
        ...role,
      });
    }
  });

  it('lets the agents run only once the router answers /readyz, and reports its endpoint', async () => {
    const router = report.services.find((service) => service.name === ROUTER)!;
    expect(router).toMatchObject({ port: portBase, card: null });
    const routerCard = await fakeCard(router);
    for (const agent of report.services.filter((service) => service.name !== ROUTER)) {
      const card = await fakeCard(agent);
      expect(card.mainAt, agent.name).toBeGreaterThanOrEqual(routerCard.listeningAt);
    }
    expect(report.router).toMatchObject({
      url: router.url,
      chatCompletions: `${router.url}/v1/chat/completions`,
      routingConfig: defaultRoutingConfigPath(),
      offline: true,
      providers: [],
    });
    expect(io.stderr.some((line) => line.includes('!! MODELS RUN OFFLINE: no model key is set'))).toBe(true);
  });

  it('migrated the brain schema before the services started', async () => {
    const client = new pg.Client({ connectionString: brain.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query(
        'select table_name from information_schema.tables where table_schema = $1 order by table_name',
        [`forge_${brain.name}`],
      );
      expect(rows.map((row) => row.table_name)).toContain('tasks');
    } finally {
      await client.end();
    }
  });

  it('restarted the service that crashed while starting, and said so', () => {
    const events = io.stdout.map(
      (line) => JSON.parse(line) as { event: string; name?: string; code?: number },
    );
    expect(events).toContainEqual(expect.objectContaining({ event: 'crashed', name: 'diary', code: 7 }));
    expect(events).toContainEqual(expect.objectContaining({ event: 'started', name: 'diary', restarts: 1 }));
    expect(io.stderr.some((line) => line.startsWith('diary') && line.includes('crashing on purpose'))).toBe(
      true,
    );
  });

  it('writes a mesh file that status uses, and restarts a service killed under it', async () => {
    const paths = brainPaths(join(root, 'state'), brain.name);
    const mesh = MeshFile.parse(JSON.parse(await readFile(paths.mesh, 'utf8')));
    expect(mesh.pid).toBe(process.pid);
    expect(mesh.postgres).toEqual({ url: brain.databaseUrl, embedded: false, pid: null, dataDir: null });
    expect(mesh.routingConfig).toBe(defaultRoutingConfigPath());
    expect(mesh.services.map((service) => service.pid)).toEqual(
      report.services.map((service) => service.pid),
    );
    const scout = report.services.find((service) => service.name === 'scout')!;
    process.kill(scout.pid!, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    let status = { code: -1, stdout: [] as string[] };
    while (Date.now() < deadline) {
      const statusIo = memoryIo();
      const code = await runCli(
        ['status', '--brain', brain.name, '--state-dir', join(root, 'state'), '--json'],
        statusIo,
      );
      status = { code, stdout: statusIo.stdout };
      const restarted = io.stdout.some(
        (line) => line.includes('"event":"started"') && line.includes('"name":"scout"'),
      );
      if (code === 0 && restarted) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status.code).toBe(0);
    expect(io.stdout.some((line) => /"event":"crashed".*"name":"scout".*"signal":"SIGKILL"/.test(line))).toBe(
      true,
    );
  });

  it('stops everything, removes the mesh file and frees the ports on stop', async () => {
    const pids = report.services.map((service) => service.pid!);
    stop.abort();
    expect(await exit).toBe(0);
    const events = io.stdout.map((line) => (JSON.parse(line) as { event: string }).event);
    expect(events.slice(-2)).toEqual(['stopping', 'stopped']);
    expect(existsSync(brainPaths(join(root, 'state'), brain.name).mesh)).toBe(false);
    expect(await busyPorts(report.services)).toEqual([]);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  }, 30_000);
});
