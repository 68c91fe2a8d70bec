import { type ChildProcess, fork } from 'node:child_process';
import { z } from 'zod';

/** What a bench child process says over IPC: one reply per request, matched by `id`. */
export const ChildMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), info: z.record(z.string(), z.string()) }),
  z.object({ type: z.literal('failed'), message: z.string() }),
  z.object({ type: z.literal('reply'), id: z.number(), value: z.unknown() }),
]);
export type ChildMessage = z.infer<typeof ChildMessage>;

/** A request a child answers: `{ id, command }`. */
export const ChildRequest = z.object({ id: z.number(), command: z.string() });
export type ChildRequest = z.infer<typeof ChildRequest>;

/** A running child process of the bench, started from a TypeScript entry with the bench's loader. */
export interface BenchChild {
  /** What the child announced when it was ready (URLs, subjects). */
  readonly info: Record<string, string>;
  /** Sends a command and waits (bounded) for its reply. */
  ask(command: string, timeoutMs?: number): Promise<unknown>;
  /** Asks the child to stop and waits for it to exit, killing it after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Forks `entry` with this process's loader flags (tsx and the `forge-source` condition) plus
 * `extraExecArgv`, and waits up to `readyMs` for its `ready` message. Its stdout and stderr go to
 * this process's stderr, so the bench's stdout keeps only its report.
 */
export async function startChild(
  entry: string,
  env: Record<string, string>,
  opts: { extraExecArgv?: string[]; readyMs?: number } = {},
): Promise<BenchChild> {
  const child: ChildProcess = fork(entry, [], {
    env: { ...process.env, ...env },
    execArgv: [...process.execArgv, ...(opts.extraExecArgv ?? [])],
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  let nextId = 0;
  const waiting = new Map<number, (value: unknown) => void>();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const info = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${entry} did not get ready within ${opts.readyMs ?? 60_000} ms`)),
      opts.readyMs ?? 60_000,
    );
    child.on('message', (raw) => {
      const parsed = ChildMessage.safeParse(raw);
      if (!parsed.success) return;
      const msg = parsed.data;
      if (msg.type === 'ready') {
        clearTimeout(timer);
        resolve(msg.info);
      } else if (msg.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`${entry}: ${msg.message}`));
      } else {
        waiting.get(msg.id)?.(msg.value);
        waiting.delete(msg.id);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with code ${code} before it was ready`));
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    info,
    ask(command, timeoutMs = 30_000) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${entry} did not answer "${command}" within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, (value) => {
          clearTimeout(timer);
          resolve(value);
        });
        child.send({ id, command } satisfies ChildRequest);
      });
    },
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ id: nextId++, command: 'stop' } satisfies ChildRequest);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The child's side: announces `info` once ready and answers each request with `handle`'s value
 * (`stop` is answered by `onStop`, then the process exits). Reports a start failure and exits 1.
 */
export function serveParent(handle: (command: string) => Promise<unknown>, onStop: () => Promise<void>) {
  const send = (msg: ChildMessage) => process.send?.(msg);
  process.on('message', (raw) => {
    const parsed = ChildRequest.safeParse(raw);
    if (!parsed.success) return;
    const { id, command } = parsed.data;
    if (command === 'stop') {
      void onStop().finally(() => process.exit(0));
      return;
    }
    handle(command).then(
      (value) => send({ type: 'reply', id, value }),
      (error: unknown) => send({ type: 'reply', id, value: { error: String(error) } }),
    );
  });
  // The parent going away ends the child too (no orphaned router holding the brain's streams).
  process.on('disconnect', () => {
    void onStop().finally(() => process.exit(0));
  });
  return {
    ready: (info: Record<string, string>) => send({ type: 'ready', info }),
    failed: (error: unknown) => {
      send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    },
  };
}
