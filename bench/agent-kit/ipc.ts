import { type ChildProcess, fork } from 'node:child_process';
import { z } from 'zod';

/** What the agent child says over IPC: one reply per request, matched by `id`. */
const ChildMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), url: z.string() }),
  z.object({ type: z.literal('failed'), message: z.string() }),
  z.object({ type: z.literal('reply'), id: z.number(), value: z.unknown(), error: z.string().optional() }),
]);
type ChildMessage = z.infer<typeof ChildMessage>;

const ChildRequest = z.object({ id: z.number(), command: z.string(), arg: z.unknown().optional() });
type ChildRequest = z.infer<typeof ChildRequest>;

export interface AgentChild {
  readonly url: string;
  /** Sends a command and waits (bounded) for its reply. */
  ask(command: string, arg?: unknown, timeoutMs?: number): Promise<unknown>;
  /** Asks the child to stop its service and exit; kills it after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Forks the agent child with this process's loader flags plus `--import instrumentation`, and
 * waits (bounded) for it to be ready. Its output goes to this process's stderr.
 */
export async function startAgentChild(
  entry: string,
  instrumentation: string,
  env: Record<string, string>,
  opts: { extraExecArgv?: string[]; readyMs?: number } = {},
): Promise<AgentChild> {
  const readyMs = opts.readyMs ?? 60_000;
  const child: ChildProcess = fork(entry, [], {
    env: { ...process.env, ...env },
    execArgv: [...process.execArgv, ...(opts.extraExecArgv ?? []), '--import', instrumentation],
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  let nextId = 0;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent child not ready within ${readyMs} ms`)), readyMs);
    child.on('message', (raw) => {
      const parsed = ChildMessage.safeParse(raw);
      if (!parsed.success) return;
      const msg = parsed.data;
      if (msg.type === 'ready') {
        clearTimeout(timer);
        resolve(msg.url);
      } else if (msg.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`agent child: ${msg.message}`));
      } else {
        const waiter = waiting.get(msg.id);
        waiting.delete(msg.id);
        if (msg.error !== undefined) waiter?.reject(new Error(msg.error));
        else waiter?.resolve(msg.value);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`agent child exited with code ${code} before it was ready`));
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    url,
    ask(command, arg, timeoutMs = 30_000) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`agent child did not answer "${command}" within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        child.send({ id, command, arg } satisfies ChildRequest);
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

/** The child's side: answers requests with `handle`; `stop` runs `onStop`, then exits. */
export function serveParent(
  handle: (command: string, arg: unknown) => Promise<unknown>,
  onStop: () => Promise<void>,
) {
  const send = (msg: ChildMessage) => process.send?.(msg);
  const stop = () => void onStop().finally(() => process.exit(0));
  process.on('message', (raw) => {
    const parsed = ChildRequest.safeParse(raw);
    if (!parsed.success) return;
    const { id, command, arg } = parsed.data;
    if (command === 'stop') return stop();
    handle(command, arg).then(
      (value) => send({ type: 'reply', id, value }),
      (error: unknown) => send({ type: 'reply', id, value: null, error: String(error) }),
    );
  });
  // The parent going away ends the child too (no orphan holding the brain's consumer).
  process.on('disconnect', stop);
  return {
    ready: (url: string) => send({ type: 'ready', url }),
    failed: (error: unknown) => {
      send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    },
  };
}
