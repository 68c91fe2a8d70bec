import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The repository root and the compiled CLI the tests run (`pnpm build` makes it). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FORGE_MAIN = join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js');

export interface ForgeResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `forge <args>` to completion (bounded by `timeoutMs`). */
export function runForge(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<ForgeResult> {
  return new Promise((resolveResult) => {
    execFile(
      process.execPath,
      [FORGE_MAIN, ...args],
      { cwd: REPO_ROOT, env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolveResult({ code, stdout, stderr });
      },
    );
  });
}

/** A running `forge up --json`: its JSON events as they come, and the tail of its log lines. */
export interface ForgeUp {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[];
  /** The first event named `event`, waiting up to `timeoutMs`. */
  waitForEvent(event: string, timeoutMs: number): Promise<Record<string, unknown>>;
  /** The last log lines (stderr), for a failure message. */
  logTail(lines?: number): string;
  /** Resolves with the exit code (or signal name) once the process has exited, or null on timeout. */
  exited(timeoutMs: number): Promise<number | string | null>;
}

/** Spawns `forge up --json <args>`; stdout must carry only JSON events. */
export function startForgeUp(args: string[], env: NodeJS.ProcessEnv): ForgeUp {
  const child = spawn(process.execPath, [FORGE_MAIN, 'up', '--json', ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: Record<string, unknown>[] = [];
  const logs: string[] = [];
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    events.push(JSON.parse(line) as Record<string, unknown>);
    wake();
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    logs.push(line);
    if (logs.length > 400) logs.shift();
  });
  let exit: number | string | null = null;
  child.once('exit', (code, signal) => {
    exit = code ?? signal;
    wake();
  });
  const logTail = (lines = 60) => logs.slice(-lines).join('\n');
  const waitFor = <T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise((resolveValue, reject) => {
      const waiter = () => {
        const value = check();
        if (value !== undefined) {
          done();
          resolveValue(value);
        } else if (exit !== null) {
          done();
          reject(new Error(`forge up exited (${exit}) before ${what}:\n${logTail()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${what} within ${timeoutMs} ms:\n${logTail()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(waiter);
      };
      waiters.add(waiter);
      waiter();
    });
  return {
    child,
    events,
    logTail,
    waitForEvent: (event, timeoutMs) =>
      waitFor(() => events.find((entry) => entry.event === event), timeoutMs, `"${event}" event`),
    exited: (timeoutMs) => waitFor(() => exit ?? undefined, timeoutMs, 'exit').catch(() => null),
  };
}
