import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connectTestNats,
  deleteBrainStreams,
  dropBrainSchema,
  testDatabaseUrl,
  testNatsUrl,
  uniqueBrain,
} from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ForgeUp, REPO_ROOT, runForge, startForgeUp } from './forge-process.js';
import { isPortFree } from './free-ports.js';
import { acquireMeshLock, MESH_LOCK_WAIT_MS } from './mesh-lock.js';

/** Two port ranges of eleven (a brain's services and its gateway's public face), 100 apart. */
async function freeBrainsBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 120) * 100;
    const ports = [0, 100].flatMap((offset) => Array.from({ length: 11 }, (_, i) => base + offset + i));
    if ((await Promise.all(ports.map(isPortFree))).every(Boolean)) return base;
  }
  throw new Error('no free port ranges');
}

/**
 * The example pair of config/brains, renamed to this run's brains (a test owns its names): brain
 * `a`'s config speaks of partner `b`, its URL variable, the secrets they exchange.
 */
function renamed(text: string, self: [string, string], other: [string, string]): string {
  const [from, to] = self;
  const [otherFrom, otherTo] = other;
  return text
    .replaceAll(`FORGE_PARTNER_${otherFrom.toUpperCase()}_URL`, `FORGE_PARTNER_${otherTo.toUpperCase()}_URL`)
    .replaceAll(`${otherFrom}-at-${from}`, `${otherTo}-at-${to}`)
    .replaceAll(`${from}-at-${otherFrom}`, `${to}-at-${otherTo}`)
    .replaceAll(`\n  ${otherFrom}:\n`, `\n  ${otherTo}:\n`)
    .replaceAll(`clientId: ${from}\n`, `clientId: ${to}\n`);
}

describe('forge up --brains: the example pair as a user runs it', () => {
  const a = uniqueBrain('fua');
  const b = uniqueBrain('fub');
  let stateDir: string;
  let base: number;
  let env: NodeJS.ProcessEnv;
  let up: ForgeUp | undefined;
  let release: () => Promise<void>;

  beforeAll(async () => {
    release = await acquireMeshLock('federation-up');
    stateDir = await mkdtemp(join(tmpdir(), 'forge-brains-'));
    const brainsDir = join(stateDir, 'brains');
    for (const [self, other] of [
      [
        ['a', a],
        ['b', b],
      ],
      [
        ['b', b],
        ['a', a],
      ],
    ] as [[string, string], [string, string]][]) {
      const text = await readFile(join(REPO_ROOT, 'config', 'brains', self[0], 'federation.yaml'), 'utf8');
      await mkdir(join(brainsDir, self[1]), { recursive: true });
      await writeFile(join(brainsDir, self[1], 'federation.yaml'), renamed(text, self, other));
    }
    base = await freeBrainsBase();
    env = {
      ...process.env,
      DATABASE_URL: testDatabaseUrl(),
      NATS_URL: testNatsUrl(),
      FORGE_BRAINS_DIR: brainsDir,
      ANTHROPIC_API_KEY: '',
      OPENAI_API_KEY: '',
    };
    up = startForgeUp(
      [
        '--brains',
        `${a},${b}`,
        '--port-base',
        String(base),
        '--state-dir',
        stateDir,
        '--ready-timeout',
        '240',
        '--log-level',
        'warn',
      ],
      env,
    );
    // One `ready` event per brain.
    const deadline = Date.now() + 300_000;
    while (up.events.filter((e) => e.event === 'ready').length < 2) {
      if (Date.now() > deadline || (await up.exited(0)) !== null)
        throw new Error(`not ready:\n${up.logTail()}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }, MESH_LOCK_WAIT_MS + 360_000);

  afterAll(async () => {
    if (up && (await up.exited(0)) === null) {
      up.child.kill('SIGTERM');
      if ((await up.exited(30_000)) === null) up.child.kill('SIGKILL');
    }
    const nc = await connectTestNats('forge-brains-cleanup');
    try {
      await Promise.allSettled([deleteBrainStreams(nc, a), deleteBrainStreams(nc, b)]);
    } finally {
      await nc.close();
    }
    await Promise.allSettled([dropBrainSchema(testDatabaseUrl(), a), dropBrainSchema(testDatabaseUrl(), b)]);
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
    await release?.();
  }, 90_000);

  const send = (brain: string, portBase: number, target: string, input: unknown) =>
    runForge(
      [
        'send',
        '--brain',
        brain,
        '--port-base',
        String(portBase),
        '--state-dir',
        stateDir,
        target,
        '--input',
        JSON.stringify(input),
        '--json',
      ],
      env,
      120_000,
    );

  it('forge send --brain a partner/b/compliance.check-text is answered by brain b', async () => {
    const result = await send(a, base, `partner/${b}/compliance.check-text`, {
      text: 'New rosin drops Friday. 21+ only.',
      channel: 'instagram',
    });
    expect(result.code, `${result.stderr}\n${up?.logTail()}`).toBe(0);
    const task = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
      status: { state: string };
      artifacts: { parts: { data: { partner: string; output: { decision: string } } }[] }[];
    };
    expect(task.status.state).toBe('TASK_STATE_COMPLETED');
    const answer = task.artifacts[0]!.parts[0]!.data;
    expect(answer.partner).toBe(b);
    expect(['allow', 'needs-review', 'block']).toContain(answer.output.decision);
  }, 150_000);

  it('forge send --brain b partner/a/scout.recent-items is answered by brain a; a skill not granted is refused', async () => {
    const result = await send(b, base + 100, `partner/${a}/scout.recent-items`, { sinceHours: 24 });
    expect(result.code, `${result.stderr}\n${up?.logTail()}`).toBe(0);
    expect(result.stdout).toContain('TASK_STATE_COMPLETED');
    const refused = await send(b, base + 100, `partner/${a}/scout.score-headlines`, {});
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`this brain may not ask partner ${a} for scout.score-headlines`);
  }, 150_000);
});
