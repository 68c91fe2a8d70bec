import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateSigningKeyPem, sha256Hex } from '@forge/federation';
import { hashApiKey } from '@forge/service-runtime';
import { type TestBrain, testBrain } from '@forge/testkit';
import { REPO_ROOT } from '../forge-process.js';
import { isPortFree } from '../free-ports.js';

const TSX = pathToFileURL(join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** Secrets of the pair: every one is made up for the run and only its hash is configured. */
export const SECRETS = {
  aToB: 'client-secret-a-at-b-0001',
  bToA: 'client-secret-b-at-a-0002',
  cAtB: 'api-key-partner-c-at-b-0003',
  brokeAtB: 'api-key-partner-broke-at-b-0004',
  slowAtB: 'api-key-partner-slow-at-b-0005',
  operator: 'operator-key-0006',
  gateway: 'gateway-delegation-key-0007',
} as const;

/**
 * Nine free ports in a row below Linux's ephemeral range (32768+), where an outgoing connection
 * of any process on the machine can take a port between our check and our listen.
 */
async function freePairBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 1_200) * 10;
    const ports = Array.from({ length: 9 }, (_, i) => base + i);
    if ((await Promise.all(ports.map(isPortFree))).every(Boolean)) return base;
  }
  throw new Error('no nine free ports in a row in 20000-32000');
}

/** One process of a brain, its log tail kept for failure messages. */
export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly lines: string[];
}

export interface BrainHandle {
  readonly brain: TestBrain;
  readonly name: string;
  readonly dir: string;
  /** The gateway's public face (partners call it). */
  readonly gatewayUrl: string;
  /** The gateway's mesh-facing edge: the `partners` agent (the operator asks partners through it). */
  readonly partnersUrl: string;
  /** The brain's one agent (scout on A, compliance on B). */
  readonly agentUrl: string;
  readonly procs: Proc[];
  /** The gateway process's pid. */
  readonly gatewayPid: number;
}

export interface FederationPair {
  readonly a: BrainHandle;
  readonly b: BrainHandle;
  /** A port nothing listens on yet: the test serves a forged card for partner `mallory` of A there. */
  readonly malloryPort: number;
  logs(): string;
  close(): Promise<void>;
}

function spawnService(service: string, env: NodeJS.ProcessEnv): Proc {
  const dir = join(REPO_ROOT, 'services', service);
  const child = spawn(
    process.execPath,
    [
      '--conditions=forge-source',
      '--import',
      TSX,
      '--import',
      pathToFileURL(join(dir, 'src', 'instrumentation.ts')).href,
      join(dir, 'src', 'main.ts'),
    ],
    { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line.slice(0, 2000));
      if (lines.length > 200) lines.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { name: service, child, lines };
}

async function waitReady(url: string, proc: Proc, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.child.exitCode !== null) {
      throw new Error(
        `${proc.name} exited (${proc.child.exitCode}) before ${url} answered:\n${proc.lines.slice(-30).join('\n')}`,
      );
    }
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${proc.name}: ${url} not ready in ${timeoutMs} ms:\n${proc.lines.slice(-30).join('\n')}`);
}

async function stopProc(proc: Proc): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.child.once('exit', () => resolve()));
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function writeLines(path: string, ...lines: string[]): Promise<void> {
  await writeFile(path, `${lines.join('\n')}\n`, { mode: 0o600 });
}

interface Layout {
  dir: string;
  ports: { router: number; agent: number; partners: number; gateway: number };
}

/**
 * Two brains on one machine, each its own processes (router, one agent, gateway), subject
 * prefix and streams, Postgres schema, ports and keys: A (scout) shares `scout.recent-items`
 * with B; B (compliance) shares `compliance.check-text` with A, C, `broke` (no budget) and
 * `slow` (two calls, then one a minute), and shares `compliance.reconcile-records` with nobody
 * in particular. A also lists `mallory`, whose card the test serves (forged).
 */
export async function startFederationPair(
  options: { otlpEndpoint?: string; readyTimeoutMs?: number } = {},
): Promise<FederationPair> {
  const root = await mkdtemp(join(tmpdir(), 'forge-fed-'));
  const [brainA, brainB] = await Promise.all([testBrain('feda'), testBrain('fedb')]);
  const base = await freePairBase();
  const layout = (offset: number, name: string): Layout => ({
    dir: join(root, name),
    ports: {
      router: base + offset,
      agent: base + offset + 1,
      partners: base + offset + 2,
      gateway: base + offset + 3,
    },
  });
  const la = layout(0, 'a');
  const lb = layout(4, 'b');
  const malloryPort = base + 8;
  const url = (port: number) => `http://127.0.0.1:${port}`;
  await Promise.all([mkdir(la.dir), mkdir(lb.dir)]);

  for (const l of [la, lb]) {
    await writeFile(join(l.dir, 'sign.pem'), generateSigningKeyPem(), { mode: 0o600 });
    await writeLines(join(l.dir, 'gateway.key'), SECRETS.gateway);
    const createdAt = new Date().toISOString();
    await writeFile(
      join(l.dir, 'api-keys.json'),
      JSON.stringify({
        v: 1,
        keys: [
          { principal: 'operator', sha256: hashApiKey(SECRETS.operator), createdAt },
          { principal: 'gateway', sha256: hashApiKey(SECRETS.gateway), createdAt, actsFor: ['partner:'] },
        ],
      }),
    );
  }
  await writeLines(join(la.dir, 'to-b.secret'), SECRETS.aToB);
  await writeLines(join(lb.dir, 'to-a.secret'), SECRETS.bToA);
  await writeLines(join(la.dir, 'b-client.sha256'), sha256Hex(SECRETS.bToA));
  await writeLines(join(lb.dir, 'a-client.sha256'), sha256Hex(SECRETS.aToB));
  await writeLines(join(lb.dir, 'c.sha256'), sha256Hex(SECRETS.cAtB));
  await writeLines(join(lb.dir, 'broke.sha256'), sha256Hex(SECRETS.brokeAtB));
  await writeLines(join(lb.dir, 'slow.sha256'), sha256Hex(SECRETS.slowAtB));

  const card = (port: number) => `${url(port)}/.well-known/agent-card.json`;
  const inbound = (
    skills: string[],
    credentials: Record<string, string>,
    extra: Record<string, unknown> = {},
  ) => ({
    skills,
    credentials,
    rateLimit: { perMinute: 6000, burst: 1000 },
    monthlyBudgetUsd: 10,
    ...extra,
  });
  const configA = {
    publicUrl: url(la.ports.gateway),
    organization: 'Company A',
    signingKeys: [join(la.dir, 'sign.pem'), join(la.dir, 'sign-next.pem')],
    shares: ['scout.recent-items'],
    partners: {
      b: {
        cardUrl: card(lb.ports.gateway),
        inbound: inbound(['scout.recent-items'], { clientSecretHashesFile: join(la.dir, 'b-client.sha256') }),
        outbound: {
          skills: ['compliance.check-text', 'compliance.reconcile-records'],
          credentials: { kind: 'oauth2', clientId: 'a', clientSecretFile: join(la.dir, 'to-b.secret') },
          timeoutMs: 30_000,
          retries: 2,
        },
      },
      mallory: {
        cardUrl: card(malloryPort),
        jwksUrl: `${url(lb.ports.gateway)}/.well-known/jwks.json`,
        outbound: {
          skills: ['compliance.check-text'],
          credentials: { kind: 'oauth2', clientId: 'a', clientSecretFile: join(la.dir, 'to-b.secret') },
          retries: 0,
        },
      },
    },
  };
  const configB = {
    publicUrl: url(lb.ports.gateway),
    organization: 'Company B',
    signingKeys: [join(lb.dir, 'sign.pem'), join(lb.dir, 'sign-next.pem')],
    shares: ['compliance.check-text', 'compliance.reconcile-records'],
    partners: {
      a: {
        cardUrl: card(la.ports.gateway),
        inbound: inbound(['compliance.check-text'], {
          clientSecretHashesFile: join(lb.dir, 'a-client.sha256'),
        }),
        outbound: {
          skills: ['scout.recent-items'],
          credentials: { kind: 'oauth2', clientId: 'b', clientSecretFile: join(lb.dir, 'to-a.secret') },
        },
      },
      c: {
        cardUrl: `${url(malloryPort)}/c-card.json`,
        inbound: inbound(['compliance.check-text'], { apiKeyHashesFile: join(lb.dir, 'c.sha256') }),
      },
      broke: {
        cardUrl: `${url(malloryPort)}/broke-card.json`,
        inbound: inbound(
          ['compliance.check-text'],
          { apiKeyHashesFile: join(lb.dir, 'broke.sha256') },
          { monthlyBudgetUsd: 0 },
        ),
      },
      slow: {
        cardUrl: `${url(malloryPort)}/slow-card.json`,
        inbound: inbound(
          ['compliance.check-text'],
          { apiKeyHashesFile: join(lb.dir, 'slow.sha256') },
          {
            rateLimit: { perMinute: 1, burst: 2 },
          },
        ),
      },
    },
  };
  // JSON is YAML: the gateway reads these as it reads config/brains/*.
  await writeFile(join(la.dir, 'federation.yaml'), JSON.stringify(configA, null, 2));
  await writeFile(join(lb.dir, 'federation.yaml'), JSON.stringify(configB, null, 2));

  const procs: Proc[] = [];
  const start = (brain: TestBrain, l: Layout, agent: 'scout' | 'compliance'): BrainHandle => {
    const common: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      FORGE_BRAIN: brain.name,
      FORGE_HOST: '127.0.0.1',
      NATS_URL: brain.natsUrl,
      DATABASE_URL: brain.databaseUrl,
      FORGE_API_KEYS_FILE: join(l.dir, 'api-keys.json'),
      FORGE_LOG_LEVEL: 'warn',
      FORGE_CONCURRENCY: '4',
      FORGE_SHUTDOWN_GRACE_MS: '3000',
      FORGE_DAY_URL: 'http://127.0.0.1:9',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      ...(options.otlpEndpoint
        ? { OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '200' }
        : {}),
    };
    const router = spawnService('router', {
      ...common,
      FORGE_PORT: String(l.ports.router),
      FORGE_LEDGER_FLUSH_MS: '5',
    });
    const worker = spawnService(agent, { ...common, FORGE_PORT: String(l.ports.agent) });
    const gateway = spawnService('gateway', {
      ...common,
      FORGE_PORT: String(l.ports.partners),
      FORGE_GATEWAY_PORT: String(l.ports.gateway),
      FORGE_FEDERATION_CONFIG: join(l.dir, 'federation.yaml'),
      FORGE_AGENT_URLS: `${agent}=${url(l.ports.agent)}`,
      FORGE_GATEWAY_KEY_FILE: join(l.dir, 'gateway.key'),
    });
    procs.push(router, worker, gateway);
    return {
      brain,
      name: brain.name,
      dir: l.dir,
      gatewayUrl: url(l.ports.gateway),
      partnersUrl: url(l.ports.partners),
      agentUrl: url(l.ports.agent),
      procs: [router, worker, gateway],
      gatewayPid: gateway.child.pid ?? 0,
    };
  };
  const a = start(brainA, la, 'scout');
  const b = start(brainB, lb, 'compliance');
  const logs = () => procs.map((p) => `--- ${p.name}\n${p.lines.slice(-40).join('\n')}`).join('\n');
  const close = async () => {
    await Promise.all(procs.map(stopProc));
    await Promise.allSettled([brainA.cleanup(), brainB.cleanup()]);
    await rm(root, { recursive: true, force: true });
  };
  try {
    const timeout = options.readyTimeoutMs ?? 120_000;
    for (const [h, l] of [
      [a, la],
      [b, lb],
    ] as const) {
      await waitReady(`${url(l.ports.router)}/readyz`, h.procs[0]!, timeout);
      await waitReady(`${h.agentUrl}/readyz`, h.procs[1]!, timeout);
      await waitReady(`${h.partnersUrl}/readyz`, h.procs[2]!, timeout);
      await waitReady(`${h.gatewayUrl}/livez`, h.procs[2]!, timeout);
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { a, b, malloryPort, logs, close };
}

/** Resident memory of a process, in bytes (Linux). */
export async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
}
