import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UpReport } from '@forge/cli';
import { type ForgeUp, startForgeUp } from '../forge-process.js';
import { freePortBase } from '../free-ports.js';

/** What a fault may hit: a service of the mesh, the embedded Postgres, or the nats-server forge up started. */
export type Target = string;

/**
 * A `forge up` of its own for fault tests: a state folder of its own, the embedded Postgres, and
 * a nats-server forge up starts (and supervises) on a free port, so killing NATS or Postgres
 * never touches the machine's shared servers. Tracks the current pid of every process from the
 * ready report and the `started` events of restarts.
 */
export class MeshUnderTest {
  readonly pids = new Map<Target, number>();

  private constructor(
    readonly up: ForgeUp,
    readonly report: UpReport,
    readonly stateDir: string,
    readonly natsUrl: string,
    readonly brain: string,
  ) {
    this.pids.set('postgres', report.postgres.pid!);
    this.pids.set('nats', report.nats.pid!);
    for (const service of report.services) this.pids.set(service.name, service.pid!);
  }

  /** Starts the mesh and waits (bounded) for its ready report. */
  static async start(opts: {
    brain: string;
    env: NodeJS.ProcessEnv;
    readyTimeoutMs: number;
  }): Promise<MeshUnderTest> {
    const stateDir = await mkdtemp(join(tmpdir(), 'forge-chaos-'));
    const natsUrl = `nats://127.0.0.1:${await freePort()}`;
    const portBase = await freePortBase();
    const env: NodeJS.ProcessEnv = { ...opts.env, NATS_URL: natsUrl };
    delete env.DATABASE_URL;
    const up = startForgeUp(
      ['--brain', opts.brain, '--state-dir', stateDir, '--port-base', String(portBase)],
      env,
    );
    let report: UpReport;
    try {
      report = (await up.waitForEvent('ready', opts.readyTimeoutMs)) as unknown as UpReport;
    } catch (error) {
      up.child.kill('SIGTERM');
      await up.exited(30_000);
      await rm(stateDir, { recursive: true, force: true });
      throw error;
    }
    if (!report.nats.startedByForge || report.nats.pid === null || report.postgres.pid === null) {
      throw new Error('the mesh under test must run its own NATS and embedded Postgres');
    }
    return new MeshUnderTest(up, report, stateDir, natsUrl, opts.brain);
  }

  get databaseUrl(): string {
    return this.report.postgres.url;
  }

  /** The pids of the supervisor's restarts of `target` so far (its `started` events after the first). */
  restartsOf(target: Target): number[] {
    return this.up.events
      .filter((event) => event.event === 'started' && event.name === target)
      .map((event) => event.pid as number);
  }

  /**
   * SIGKILLs the current process of `target`, then waits for the supervisor to start it again
   * and for every service's /readyz to answer ready. Returns how long each step took (ms).
   */
  async kill(target: Target, timeoutMs: number): Promise<{ restartedMs: number; readyMs: number }> {
    const pid = this.pids.get(target);
    if (pid === undefined) throw new Error(`no process named ${target}`);
    const before = this.restartsOf(target).length;
    const began = performance.now();
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + timeoutMs;
    while (this.restartsOf(target).length <= before) {
      if (Date.now() > deadline)
        throw new Error(`${target} was not restarted within ${timeoutMs} ms:\n${this.up.logTail()}`);
      await sleep(50);
    }
    const restartedMs = Math.round(performance.now() - began);
    this.pids.set(target, this.restartsOf(target).at(-1)!);
    // Right after a kill every /readyz may still say ready; the restart has been seen, so from
    // here "all ready" means the mesh found its way back.
    while (!(await this.allReady())) {
      if (Date.now() > deadline)
        throw new Error(
          `the mesh was not ready within ${timeoutMs} ms after ${target} was killed:\n${this.up.logTail()}`,
        );
      await sleep(100);
    }
    return { restartedMs, readyMs: Math.round(performance.now() - began) };
  }

  /** Whether every service's /readyz answers 200. */
  async allReady(): Promise<boolean> {
    const answers = await Promise.all(
      this.report.services.map((service) =>
        fetch(`${service.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
          (res) => res.status === 200,
          () => false,
        ),
      ),
    );
    return answers.every(Boolean);
  }

  /** Stops forge up (SIGTERM, SIGKILL after 30 s) and removes its state folder. */
  async stop(): Promise<number | string | null> {
    let code = await this.up.exited(0);
    if (code === null) {
      this.up.child.kill('SIGTERM');
      code = await this.up.exited(30_000);
      if (code === null) this.up.child.kill('SIGKILL');
    }
    await rm(this.stateDir, { recursive: true, force: true });
    return code;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
