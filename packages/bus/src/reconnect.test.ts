import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@forge/telemetry';
import { uniqueBrain } from '@forge/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Bus } from './bus.js';

// This test restarts a NATS server, so it runs one of its own (the same nats-server binary as the
// machine's, JetStream on, a store of its own) rather than the shared one other tests use.

const Job = z.object({ id: z.string() });
const quiet = createLogger({ name: 'bus-reconnect-test', level: 'silent' });

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitFor(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });
}

async function startServer(port: number, storeDir: string, jetStream = true): Promise<ChildProcess> {
  const args = ['-a', '127.0.0.1', '-p', String(port), ...(jetStream ? ['-js', '-sd', storeDir] : [])];
  const proc = spawn('nats-server', args, { stdio: 'ignore' });
  await waitFor(() => accepts(port), 5000, 'nats-server to listen');
  return proc;
}

/**
 * Stops the server as a pod is stopped (SIGTERM: it closes client connections and flushes its
 * store). A SIGKILL can lose the store's last writes, which tests the server, not the bus.
 */
async function stopServer(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  await exited;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('reconnect', () => {
  it('keeps consuming after the NATS server restarts', async () => {
    const port = await freePort();
    const storeDir = await mkdtemp(join(tmpdir(), 'forge-bus-nats-'));
    cleanups.push(() => rm(storeDir, { recursive: true, force: true }));
    let server = await startServer(port, storeDir);
    cleanups.push(() => stopServer(server));

    const bus = await Bus.connect({
      servers: `nats://127.0.0.1:${port}`,
      name: 'bus-reconnect-test',
      brain: uniqueBrain('reconnect'),
      logger: quiet,
      reconnectWaitMs: 100,
    });
    cleanups.push(() => bus.drain());
    await bus.ensureStreams();
    const handled: string[] = [];
    const consumer = bus.consumer({
      stream: bus.subjects.streams.tasks.name,
      durable: 'worker',
      filterSubject: bus.subjects.taskRun('worker'),
      schema: Job,
      concurrency: 2,
      handler: async (job) => {
        handled.push(job.id);
      },
    });
    cleanups.push(() => consumer.stop(0));
    await consumer.start();
    const subject = bus.subjects.taskRun('worker');

    await bus.publish(subject, Job, { id: 'before' });
    await waitFor(() => handled.includes('before'), 5000, 'the first task');

    await stopServer(server);
    await waitFor(() => !bus.isConnected(), 5000, 'the disconnect');
    server = await startServer(port, storeDir);
    await waitFor(() => bus.isConnected(), 10_000, 'the reconnect');

    // JetStream may need a moment after the restart; a publish that finds it not ready is UNAVAILABLE.
    await waitFor(
      () =>
        bus.publish(subject, Job, { id: 'after' }, { msgId: 'after' }).then(
          () => true,
          (error: { code?: string }) => {
            expect(error.code).toBe('UNAVAILABLE');
            return false;
          },
        ),
      10_000,
      'a publish after the restart',
    );
    await waitFor(() => handled.includes('after'), 10_000, 'the task published after the restart');
    expect(handled.slice(0, 2)).toEqual(['before', 'after']);

    // The connection comes back before JetStream does (as while a cluster elects leaders): the
    // consumer must resume soon after JetStream returns, not after nats.js's 30 s re-check.
    await stopServer(server);
    await waitFor(() => !bus.isConnected(), 5000, 'the second disconnect');
    server = await startServer(port, storeDir, false);
    await waitFor(() => bus.isConnected(), 10_000, 'a reconnect without JetStream');
    await stopServer(server);
    await waitFor(() => !bus.isConnected(), 5000, 'the third disconnect');
    server = await startServer(port, storeDir);
    await waitFor(() => bus.isConnected(), 10_000, 'the reconnect with JetStream');
    const publishedAt = Date.now();
    await waitFor(
      () =>
        bus.publish(subject, Job, { id: 'late' }, { msgId: 'late' }).then(
          () => true,
          () => false,
        ),
      10_000,
      'a publish once JetStream is back',
    );
    await waitFor(() => handled.includes('late'), 8000, 'the task published once JetStream was back');
    expect(Date.now() - publishedAt).toBeLessThan(8000);
    // At least once: a restart may bring back an earlier task whose ack the server had not stored
    // (handlers are idempotent by task id); nothing may be missing.
    expect(new Set(handled)).toEqual(new Set(['before', 'after', 'late']));
  });
});
