import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { freePort } from './forge-up.js';

/** A nats-server with JetStream of the bench's own (as `forge up` starts one): its CPU is the mesh's alone. */
export interface OwnNats {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startNats(): Promise<OwnNats> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'forge-bench-mesh-nats-'));
  const child: ChildProcess = spawn(
    'nats-server',
    ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `nats://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const nc = await connect({ servers: url, reconnect: false });
      await nc.close();
      break;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        await stop();
        throw new Error(`nats-server on port ${port} did not start: ${String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { url, pid: child.pid!, stop };
}
