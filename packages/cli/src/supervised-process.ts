import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { hasExited, stopChild } from './child-process.js';
import { decideRestart, type RestartPolicy } from './restart-policy.js';

/** What happens to a supervised process, for `forge up` to say so. */
export type SupervisorEvent =
  | { readonly kind: 'started'; readonly name: string; readonly pid: number; readonly restarts: number }
  | {
      readonly kind: 'crashed';
      readonly name: string;
      readonly code: number | null;
      readonly signal: string | null;
      readonly restartInMs: number;
      readonly crashes: number;
    }
  | { readonly kind: 'gave-up'; readonly name: string; readonly crashes: number; readonly windowMs: number };

/** How `forge up` supervises every process it starts: one restart policy, one way of saying so. */
export interface SupervisorHooks {
  readonly policy: RestartPolicy;
  onLine(name: string, line: string, stream: 'stdout' | 'stderr'): void;
  onEvent(event: SupervisorEvent): void;
}

export interface SupervisedProcessOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Run as this user and group (forge up as root runs Postgres as `postgres`). */
  readonly uid?: number;
  readonly gid?: number;
  /** What `stop()` sends first (default SIGTERM; Postgres takes SIGINT, its fast shutdown). */
  readonly stopSignal?: NodeJS.Signals;
  /** Runs after a crash's backoff, before the process is started again (clean up what it left). */
  beforeRestart?(): Promise<void>;
  readonly policy: RestartPolicy;
  /**
   * When given, the process starts behind the service gate (with an IPC channel) and is sent
   * `{ type: 'forge:go', env }` once this resolves; a restart is let through at once.
   */
  readonly release?: Promise<Record<string, string>>;
  onLine(name: string, line: string, stream: 'stdout' | 'stderr'): void;
  onEvent(event: SupervisorEvent): void;
}

/** Pipes a child's output to `onLine`, one call per line. */
export function pipeLines(
  child: ChildProcess,
  name: string,
  onLine: (name: string, line: string, stream: 'stdout' | 'stderr') => void,
): void {
  if (child.stdout)
    createInterface({ input: child.stdout }).on('line', (line) => onLine(name, line, 'stdout'));
  if (child.stderr)
    createInterface({ input: child.stderr }).on('line', (line) => onLine(name, line, 'stderr'));
}

/**
 * One service process that is started again when it exits on its own, with exponential backoff,
 * until it crashes too often within the policy's window. `stop()` ends it for good.
 */
export class SupervisedProcess {
  private child: ChildProcess | null = null;
  private readonly crashTimes: number[] = [];
  private restarts = 0;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private gaveUpAfter: number | null = null;

  constructor(private readonly options: SupervisedProcessOptions) {}

  get name(): string {
    return this.options.name;
  }

  /** The pid of the current process, or null between a crash and its restart. */
  get pid(): number | null {
    return this.child && !hasExited(this.child) ? (this.child.pid ?? null) : null;
  }

  /** Whether it crashed too often and will not be started again. */
  get gaveUp(): boolean {
    return this.gaveUpAfter !== null;
  }

  start(): void {
    const { name, command, args, cwd, env, uid, gid } = this.options;
    const { release } = this.options;
    const child = spawn(command, args, {
      cwd,
      env,
      ...(uid === undefined ? {} : { uid }),
      ...(gid === undefined ? {} : { gid }),
      // Its own process group: Ctrl-C reaches forge up only, which stops the services in order.
      detached: true,
      stdio: release ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    release?.then(
      (goEnv) => {
        if (child.connected) child.send({ type: 'forge:go', env: goEnv }, () => {});
      },
      () => {},
    );
    pipeLines(child, name, this.options.onLine);
    child.once('exit', (code, signal) => this.onExit(code, signal));
    // A spawn failure (ENOENT, EACCES) also ends in 'exit'; the error itself is reported here.
    child.once('error', (error) => this.options.onLine(name, `failed to start: ${error.message}`, 'stderr'));
    if (child.pid !== undefined) {
      this.options.onEvent({ kind: 'started', name, pid: child.pid, restarts: this.restarts });
    }
  }

  private onExit(code: number | null, signal: string | null): void {
    if (this.stopping) return;
    const now = Date.now();
    this.crashTimes.push(now);
    const decision = decideRestart(this.crashTimes, now, this.options.policy);
    if (!decision.restart) {
      this.gaveUpAfter = decision.crashes;
      this.options.onEvent({
        kind: 'gave-up',
        name: this.name,
        crashes: decision.crashes,
        windowMs: this.options.policy.windowMs,
      });
      return;
    }
    this.options.onEvent({
      kind: 'crashed',
      name: this.name,
      code,
      signal,
      restartInMs: decision.delayMs,
      crashes: decision.crashes,
    });
    this.restartTimer = setTimeout(async () => {
      this.restartTimer = null;
      if (this.stopping) return;
      await this.options.beforeRestart?.().catch((error: unknown) => {
        this.options.onLine(this.name, `before restart: ${(error as Error).message}`, 'stderr');
      });
      if (this.stopping) return;
      this.restarts += 1;
      this.start();
    }, decision.delayMs);
  }

  /**
   * The stop signal (SIGTERM unless the options say otherwise), then SIGKILL after `graceMs`; no
   * restart afterwards. Resolves once it is gone.
   */
  async stop(graceMs: number): Promise<{ forced: boolean }> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    if (!this.child) return { forced: false };
    return stopChild(this.child, graceMs, this.options.stopSignal);
  }
}
