import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The repository root; the benches run its compiled CLI (`pnpm build` makes it), as users do. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The parts of `forge up --json`'s ready event the benches read. */
export interface ReadyEvent {
  readonly event: 'ready';
  readonly elapsedMs: number;
  readonly operatorKeyFile: string;
  readonly postgres: { readonly url: string; readonly embedded: boolean; readonly pid: number | null };
  readonly router: { readonly url: string; readonly chatCompletions: string; readonly offline: boolean };
  readonly services: readonly { readonly name: string; readonly url: string; readonly pid: number | null }[];
}

/** A running `forge up --json`: its events, its log lines, and a bounded stop. */
export interface ForgeUpProcess {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[];
  /** Every log line (stderr) so far, oldest first, the last 20,000 kept. */
  readonly logs: string[];
  /** Resolves with the first event for which `match` is true, waiting at most `timeoutMs`. */
  waitFor(
    match: (event: Record<string, unknown>) => boolean,
    timeoutMs: number,
  ): Promise<Record<string, unknown>>;
  /** SIGTERM, SIGKILL after `graceMs`; resolves with the exit code (or signal) once gone. */
  stop(graceMs?: number): Promise<number | string | null>;
}

/** Throws with what to do when the CLI of the checkout at `root` has not been built. */
export function assertBuilt(root = REPO_ROOT): void {
  const main = join(root, 'packages', 'cli', 'dist', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`pnpm build\` there first`);
}

/**
 * Spawns `node packages/cli/dist/main.js up --json <args>` with `env`, from this checkout or the
 * one at `root` (a bench may run another build side by side).
 */
export function startForgeUp(args: string[], env: NodeJS.ProcessEnv, root = REPO_ROOT): ForgeUpProcess {
  const main = join(root, 'packages', 'cli', 'dist', 'main.js');
  const child = spawn(process.execPath, [main, 'up', '--json', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: Record<string, unknown>[] = [];
  const logs: string[] = [];
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      logs.push(`(stdout, not JSON) ${line}`);
    }
    wake();
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    logs.push(line);
    if (logs.length > 20_000) logs.shift();
    wake();
  });
  let exit: number | string | null = null;
  const exited = new Promise<number | string | null>((resolveExit) =>
    child.once('exit', (code, signal) => {
      exit = code ?? signal;
      wake();
      resolveExit(exit);
    }),
  );
  const tail = () => logs.slice(-40).join('\n');
  return {
    child,
    events,
    logs,
    waitFor: (match, timeoutMs) =>
      new Promise((resolveEvent, reject) => {
        const check = () => {
          const found = events.find(match);
          if (found) {
            done();
            resolveEvent(found);
          } else if (exit !== null) {
            done();
            reject(new Error(`forge up exited (${exit}) first:\n${tail()}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`forge up: no such event within ${timeoutMs} ms:\n${tail()}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    stop: async (graceMs = 30_000) => {
      if (exit !== null) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolveFree(true)));
  });
}

/** A free port (the OS's pick), e.g. for a nats-server of the bench's own. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** A `--port-base` whose slots (base+0..9 and the embedded Postgres at base+50) are all free. */
export async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 400) * 100;
    const ports = [...Array.from({ length: 10 }, (_, i) => base + i), base + 50];
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return base;
  }
  throw new Error('no free port range found in 20000-59999');
}
