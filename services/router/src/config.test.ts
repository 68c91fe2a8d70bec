import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isForgeError } from '@forge/contracts';
import { testBrain } from '@forge/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger, quietLogger, testRoutingConfig, waitFor } from '../test/harness.js';
import { DEFAULT_ROUTING_CONFIG_PATH, loadRouterConfig } from './config.js';
import { RoutingConfigSource } from './routing/routing-config-source.js';
import { runRouter } from './run-router.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'forge-router-config-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NO_KEYS = { secretsEnv: {}, baseUrls: {} };

/** A process stand-in: records exits, stderr and signal handlers. */
function fakeProcess() {
  const handlers = new Map<string, () => void>();
  const exits: number[] = [];
  let stderr = '';
  return {
    exits,
    stderr: () => stderr,
    signal: (name: string) => handlers.get(name)?.(),
    proc: {
      on: (event: string, fn: () => void) => handlers.set(event, fn),
      once: (event: string, fn: () => void) => handlers.set(event, fn),
      exit: (code?: number) => {
        exits.push(code ?? 0);
        return undefined as never;
      },
      stderr: {
        write: (text: string) => {
          stderr += text;
          return true;
        },
      },
    } as unknown as Pick<NodeJS.Process, 'on' | 'once' | 'exit' | 'stderr'>,
  };
}

describe('loadRouterConfig', () => {
  it('lists every bad variable at once', () => {
    const error = (() => {
      try {
        loadRouterConfig({ FORGE_PORT: '99999', DATABASE_URL: 'mysql://db', FORGE_LEDGER_FLUSH_MS: 'soon' });
      } catch (e) {
        return e;
      }
    })();
    expect(isForgeError(error, 'BAD_CONFIG')).toBe(true);
    const message = (error as Error).message;
    expect(message).toMatch(/FORGE_PORT/);
    expect(message).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL/);
    expect(message).toMatch(/FORGE_LEDGER_FLUSH_MS/);
  });

  it('sizes admission from the pool by default, and takes explicit limits', () => {
    const db = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' };
    const defaults = loadRouterConfig(db);
    expect(defaults.pgPoolMax).toBe(14);
    expect(defaults.pgPoolWaitMs).toBe(10_000);
    expect(defaults.admission).toEqual({ maxInFlight: 14 * 16, maxQueued: 14 * 16 * 4 });
    expect(loadRouterConfig({ ...db, FORGE_PG_POOL_MAX: '3' }).admission).toEqual({
      maxInFlight: 48,
      maxQueued: 192,
    });
    const set = loadRouterConfig({
      ...db,
      FORGE_MAX_IN_FLIGHT: '2',
      FORGE_ADMISSION_QUEUE: '0',
      FORGE_PG_POOL_WAIT_MS: '500',
    });
    expect(set.admission).toEqual({ maxInFlight: 2, maxQueued: 0 });
    expect(set.pgPoolWaitMs).toBe(500);
    const bad = (() => {
      try {
        loadRouterConfig({ ...db, FORGE_MAX_IN_FLIGHT: '0', FORGE_ADMISSION_QUEUE: '-1' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(bad?.message).toMatch(/FORGE_MAX_IN_FLIGHT/);
    expect(bad?.message).toMatch(/FORGE_ADMISSION_QUEUE/);
  });

  it('defaults to the repo’s forge.yaml, which loads', async () => {
    const config = loadRouterConfig({ DATABASE_URL: 'postgres://x@localhost/db' });
    expect(config.routingConfigPath).toBe(DEFAULT_ROUTING_CONFIG_PATH);
    const source = await RoutingConfigSource.load(config.routingConfigPath, NO_KEYS, quietLogger());
    expect(source.current.config.routes['compliance.review']).toMatchObject({ critical: true });
    // No keys: every tier is served offline, so decisions name the offline stand-in.
    expect(source.current.effective.tiers.frontier).toEqual(['offline:frontier']);
  });
});

describe('routing config loading and reload', () => {
  it('refuses a bad file at start, naming the field and its line', async () => {
    const path = join(dir, 'bad.yaml');
    const good = JSON.stringify(await testRoutingConfig(), null, 2);
    await writeFile(path, good.replace('"reservationTtlMs": 60000', '"reservationTtlMs": "ten minutes"'));
    const error = await RoutingConfigSource.load(path, NO_KEYS, quietLogger()).catch((e: unknown) => e);
    expect(isForgeError(error, 'BAD_CONFIG')).toBe(true);
    expect((error as Error).message).toMatch(/gateway\.reservationTtlMs: .*\(.*bad\.yaml line \d+\)/);
  });

  it('keeps the old config when the new file is bad, logs why, and takes a good one', async () => {
    const path = join(dir, 'reload.yaml');
    await writeFile(path, JSON.stringify(await testRoutingConfig({ version: 'v1' })));
    const { logger, lines } = capturingLogger();
    const source = await RoutingConfigSource.load(path, NO_KEYS, logger);
    await writeFile(
      path,
      JSON.stringify(
        await testRoutingConfig({ version: 'v2', routes: { 'scout.score': { tier: 'gigantic' } } } as never),
      ),
    );
    expect(await source.reload()).toBe(false);
    expect(source.current.config.version).toBe('v1');
    const refused = lines.find((l) => l.msg === 'routing config reload refused; keeping the old config');
    expect(refused?.reason).toMatch(/routes\["scout\.score"\]\.tier: Invalid option/);
    await writeFile(path, JSON.stringify(await testRoutingConfig({ version: 'v3' })));
    expect(await source.reload()).toBe(true);
    expect(source.current.config.version).toBe('v3');
  });
});

describe('runRouter (main)', () => {
  it('exits 1 with one line naming the bad field when the routing config is invalid', async () => {
    const path = join(dir, 'main-bad.yaml');
    await writeFile(path, 'version: x\ntiers: { small: ["anthropic:claude-haiku-5.5"] }\n');
    const p = fakeProcess();
    await runRouter(
      {
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
        FORGE_ROUTING_CONFIG: path,
        FORGE_LOG_LEVEL: 'silent',
      },
      { process: p.proc },
    );
    expect(p.exits).toEqual([1]);
    expect(p.stderr()).toMatch(/^forge-router: cannot start: invalid routing config .*tiers\.mid/);
    expect(p.stderr().trim().split('\n')).toHaveLength(1);
  });

  it('reloads on SIGHUP (keeping the old config on a bad file) and stops on SIGTERM', async () => {
    await using brain = await testBrain('main');
    const path = join(dir, 'main.yaml');
    await writeFile(path, JSON.stringify(await testRoutingConfig({ version: 'first' })));
    const p = fakeProcess();
    const service = await runRouter(
      {
        FORGE_BRAIN: brain.name,
        FORGE_PORT: '0',
        NATS_URL: brain.natsUrl,
        DATABASE_URL: brain.databaseUrl,
        FORGE_ROUTING_CONFIG: path,
        FORGE_LOG_LEVEL: 'silent',
        FORGE_SHUTDOWN_GRACE_MS: '2000',
      },
      { process: p.proc },
    );
    expect(service?.ready).toBe(true);
    const live = await fetch(`${service!.url}/readyz`);
    expect(live.status).toBe(200);
    await writeFile(path, 'version: broken\ntiers: nope\n');
    // What SIGHUP runs, awaited here so the refusal is observed rather than raced.
    expect(await service!.reload()).toBe(false);
    expect(service!.routing.current.config.version).toBe('first');
    await writeFile(path, JSON.stringify(await testRoutingConfig({ version: 'second' })));
    p.signal('SIGHUP');
    await waitFor(() => service!.routing.current.config.version === 'second', 3_000, 'the reload');
    p.signal('SIGTERM');
    await waitFor(() => p.exits.length > 0, 5_000, 'the exit');
    expect(p.exits).toEqual([0]);
    expect(service!.ready).toBe(false);
    expect(await readFile(path, 'utf8')).toContain('second');
  });
});
